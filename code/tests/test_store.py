"""The SQLite3 feature store: schema, resumable one-transaction-per-file writing, parameter checks, tf.data."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from speechbook import store
from speechbook.data import Dataset, stand_in


@pytest.fixture(scope="module")
def voices() -> Dataset:
    """Twelve corpus clips shaped like librispeech-gender (speaker, gender, subset columns)."""
    ds = stand_in("librispeech-gender")
    return Dataset(ds.name, ds.meta.iloc[::30].reset_index(drop=True), ds.origin, ds.stands_in_for)


def rows(path, sql):
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def stored(path) -> int:
    """Utterances written so far; 0 while the writing process has not yet created its tables."""
    if not path.exists() or not rows(path, "SELECT 1 FROM sqlite_master WHERE name = 'utterances'"):
        return 0
    return rows(path, "SELECT COUNT(*) FROM utterances")[0][0]


def test_fill_stores_every_file_once_and_resumes(voices, tmp_path):
    s = store.Store(tmp_path / "f.sqlite")
    assert s.fill(voices) == len(voices)
    assert s.fill(voices) == 0  # nothing left to do
    assert rows(s.path, "SELECT COUNT(*), COUNT(DISTINCT path) FROM utterances") == [(len(voices), len(voices))]
    X, cols = s.segments()
    assert X.shape[1:] == (55, 40) and X.dtype == np.float32 and len(X) >= len(voices)  # short words are looped
    assert set(cols["gender"]) == {"female", "male"} and np.isfinite(X).all()
    assert rows(s.path, "SELECT COUNT(*) FROM utterances WHERE median_f0_hz BETWEEN 60 AND 400")[0][0] == len(voices)


def test_a_file_that_fails_half_way_leaves_nothing_behind(voices, tmp_path, monkeypatch):
    s = store.Store(tmp_path / "f.sqlite")
    s.add(voices.meta.iloc[0], voices.audio(0))

    monkeypatch.setattr(store, "segment", lambda *a: [{"idx": 0, "start_s": 0.0, "median_f0_hz": None,
                                                       "features": None}])  # NOT NULL violated mid-insert
    with pytest.raises(sqlite3.IntegrityError):
        s.add(voices.meta.iloc[1], voices.audio(1))
    assert rows(s.path, "SELECT path FROM utterances") == [(voices.meta["path"][0],)]


def test_killed_run_loses_nothing_and_duplicates_nothing(voices, tmp_path):
    path = tmp_path / "f.sqlite"
    script = (
        "import time, sys\n"
        "from speechbook import store\nfrom speechbook.data import Dataset, stand_in\n"
        "ds = stand_in('librispeech-gender')\n"
        "ds = Dataset(ds.name, ds.meta.iloc[::30].reset_index(drop=True), ds.origin, ds.stands_in_for)\n"
        f"store.Store({str(path)!r}).fill(ds, progress=lambda n, total: time.sleep(0.3))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.time() + 120
    while time.time() < deadline:
        if stored(path) >= 3:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = stored(path)
    assert 3 <= done < len(voices)
    # every stored utterance has all its segments: compare with a clean, uninterrupted store
    reference = store.Store(tmp_path / "ref.sqlite")
    reference.fill(voices)
    per_file = ("SELECT u.path, COUNT(s.rowid) FROM utterances u "
                "LEFT JOIN segments s ON s.utterance_id = u.id GROUP BY u.path")
    partial = dict(rows(path, per_file))
    assert all(dict(rows(reference.path, per_file))[p] == n for p, n in partial.items())
    resumed = store.Store(path)
    assert resumed.fill(voices) == len(voices) - done
    assert dict(rows(path, per_file)) == dict(rows(reference.path, per_file))
    duplicates = "SELECT COUNT(*) FROM (SELECT utterance_id, idx FROM segments GROUP BY 1, 2 HAVING COUNT(*) > 1)"
    assert rows(path, duplicates) == [(0,)]


def test_other_feature_parameters_are_refused(voices, tmp_path):
    store.Store(tmp_path / "f.sqlite").add(voices.meta.iloc[0], voices.audio(0))
    with pytest.raises(store.StoreError, match=r"f\.sqlite holds features made with n_mfcc=40, not n_mfcc=13: "):
        store.Store(tmp_path / "f.sqlite", store.FeatureSpec(n_mfcc=13))
    with pytest.raises(store.StoreError, match=r"with hop_ms=10, snr_db=None, not hop_ms=5, snr_db=\[0, 20\]: "):
        store.Store(tmp_path / "f.sqlite", store.FeatureSpec(hop_ms=5, snr_db=(0, 20)))  # only what differs, named
    assert rows(tmp_path / "f.sqlite", "SELECT COUNT(*) FROM utterances") == [(1,)]  # untouched


def test_batches_read_every_segment_once_per_epoch(voices, tmp_path):
    s = store.Store(tmp_path / "f.sqlite")
    s.fill(voices)
    keys = s.keys("u.gender = 'male'")
    seen = []
    for X, y in store.batches([(s, keys)], batch_size=4):
        assert X.shape[1:] == (55, 40) and X.shape[0] <= 4 and np.all(y.numpy() == 1)
        seen.extend(X.numpy().sum(axis=(1, 2)).round(2))
    expected, _ = s.segments("u.gender = 'male'")
    assert sorted(seen) == sorted(expected.sum(axis=(1, 2)).round(2))


def test_noise_is_added_at_the_asked_level():
    y = np.sin(np.arange(16000) / 5).astype(np.float32)
    noisy = store.add_noise(y, 10, np.random.default_rng(0))
    snr = 10 * np.log10(np.mean(y**2) / np.mean((noisy - y) ** 2))
    assert abs(snr - 10) < 0.2


def test_a_pitch_shifted_store_keeps_each_file_once_per_shift_and_resumes(voices, tmp_path):
    plain = store.Store(tmp_path / "plain.sqlite")
    shifted = store.Store(tmp_path / "shifted.sqlite", store.FeatureSpec(pitch_semitones=(-4, 4)))
    plain.fill(voices)
    assert shifted.fill(voices) == len(voices) and shifted.fill(voices) == 0  # resumable, file by file
    assert shifted.done() == plain.done()
    f0 = dict(plain.query("SELECT path, median_f0_hz FROM utterances"))
    moved = {}
    for path, hz in shifted.query("SELECT path, median_f0_hz FROM utterances"):
        source, mark, shift = path.partition(store.COPY_MARK)
        moved.setdefault(shift, []).append(12 * np.log2(hz / f0[source]))
    assert sorted(moved) == ["+4", "-4"] and all(len(v) == len(voices) for v in moved.values())
    assert np.median(moved["+4"]) == pytest.approx(4, abs=0.5) and np.median(moved["-4"]) == pytest.approx(-4, abs=0.5)
