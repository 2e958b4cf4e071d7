"""A SQLite3 feature store: MFCC segments of every clip, written once, read back in batches by ``tf.data``.

The 2019 workshop kept one row per frame and lost speakers when one overwrote another; here each
clip is one ``utterances`` row and its fixed-length ``segments`` hold compact float16 matrices.
Writing is one transaction per file, so a run killed half-way loses nothing and duplicates nothing,
and re-running skips what is done. The feature parameters are stored with the data: opening a store
with other parameters is refused, never silently mixed. Chapter: *Female or male?* (``book/gender.ipynb``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import librosa
import numpy as np

from speechbook import features
from speechbook.audio import SAMPLE_RATE, Audio

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (
    -- how the features were made, as JSON
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS utterances (
    -- one row per audio file
    id           INTEGER PRIMARY KEY,
    path         TEXT UNIQUE NOT NULL,  -- relative to the data set's folder; a pitch-shifted copy: '#+4' added
    sha256       TEXT NOT NULL,
    speaker      TEXT NOT NULL,
    gender       TEXT NOT NULL,         -- 'female' or 'male'
    split        TEXT NOT NULL,         -- e.g. 'train-clean-100'
    duration_s   REAL NOT NULL,
    median_f0_hz REAL                   -- of the voiced frames; NULL: none
);
CREATE TABLE IF NOT EXISTS segments (
    -- fixed-length pieces of an utterance
    utterance_id INTEGER NOT NULL REFERENCES utterances(id),
    idx          INTEGER NOT NULL,      -- 0, 1, ... in time order
    start_s      REAL NOT NULL,
    median_f0_hz REAL,
    features     BLOB NOT NULL,         -- float16 frames x coefficients
    PRIMARY KEY (utterance_id, idx)
);
"""


COPY_MARK = "#"
"""Separates a file's path from the pitch shift of its copy in a store of pitch-shifted copies: ``a.flac#-4``."""


class StoreError(RuntimeError):
    """A store cannot be used as asked (other feature parameters, unknown file); the message says why."""


@dataclass(frozen=True)
class FeatureSpec:
    """How a clip becomes segments; the defaults follow the 2019 workshop (40 MFCC, 25 ms window, 10 ms hop).

    ``segment_frames`` = 55 is the workshop's 0.55 s: five blocks of 11 frames.
    Segments quieter than ``min_level_db`` (mostly pauses) are not stored. For augmentation (training data
    only), before the features are taken: a ``snr_db`` range adds white noise at a random level per file, and
    ``pitch_semitones`` stores each file once per shift instead, its pitch moved by that many semitones and its
    formants kept (:func:`speechbook.formants.shift_pitch`), under the file's path with ``#+4`` (say) added.
    """

    n_mfcc: int = 40
    n_mels: int = 40
    win_ms: float = 25
    hop_ms: float = 10
    segment_frames: int = 55
    min_level_db: float = -35
    snr_db: tuple[float, float] | None = None
    pitch_semitones: tuple[float, ...] = ()
    seed: int = 0


def add_noise(y: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """White noise at ``snr_db`` below the signal's power."""
    noise = rng.normal(0, 1, len(y))
    scale = np.sqrt(np.mean(y**2) / 10 ** (snr_db / 10))
    return (y + scale * noise).astype(np.float32)


def median_f0(y: np.ndarray, sr: int = SAMPLE_RATE, hop: int = 160) -> tuple[float, np.ndarray]:
    """Median pitch (Hz) of the loud frames of ``y`` and the per-frame pitch track (NaN where unvoiced).

    ``librosa.yin`` between 60 and 400 Hz; a frame counts as voiced when it is within 25 dB of the
    loudest frame and YIN's estimate is not at either end of the range.
    """
    f0 = librosa.yin(y, fmin=60, fmax=400, sr=sr, frame_length=1024, hop_length=hop)
    rms = librosa.feature.rms(y=y, frame_length=1024, hop_length=hop)[0][: len(f0)]
    loud = librosa.amplitude_to_db(rms, ref=np.max) > -25
    track = np.where(loud & (f0 > 62) & (f0 < 395), f0, np.nan)
    voiced = track[~np.isnan(track)]
    return (float(np.median(voiced)) if len(voiced) else float("nan")), track


def mfcc_frames(y: np.ndarray, spec: FeatureSpec) -> np.ndarray:
    """MFCC of a clip as frames x coefficients (float32)."""
    return features.mfcc(y, n_mfcc=spec.n_mfcc, n_mels=spec.n_mels, win_ms=spec.win_ms, hop_ms=spec.hop_ms).T


def segment(y: np.ndarray, spec: FeatureSpec, track: np.ndarray) -> list[dict]:
    """Cut a clip's MFCC into non-overlapping ``segment_frames`` pieces, dropping the quiet ones;
    ``track`` is the clip's pitch per frame (see :func:`median_f0`)."""
    M = mfcc_frames(y, spec)
    hop = features.frames(spec.hop_ms)
    level = librosa.amplitude_to_db(librosa.feature.rms(y=y, frame_length=2 * hop, hop_length=hop)[0], ref=np.max)
    if len(M) < spec.segment_frames:  # a clip shorter than one segment (a single word) is looped to fill it
        M, level, track = (np.resize(a, (spec.segment_frames,) + a.shape[1:]) for a in (M, level, track))
    out = []
    for idx, start in enumerate(range(0, len(M) - spec.segment_frames + 1, spec.segment_frames)):
        piece = slice(start, start + spec.segment_frames)
        if np.mean(level[piece]) < spec.min_level_db:
            continue
        f0 = track[piece]
        out.append({"idx": idx, "start_s": start * spec.hop_ms / 1000,
                    "median_f0_hz": float(np.nanmedian(f0)) if np.any(~np.isnan(f0)) else None,
                    "features": M[piece].astype(np.float16).tobytes()})
    return out


def clip_segments(y: np.ndarray, spec: FeatureSpec) -> tuple[float, list[dict]]:
    """A clip's median pitch and its kept segments: what the store keeps of one file, and what a new
    recording is judged on."""
    f0, track = median_f0(y, hop=features.frames(spec.hop_ms))
    return f0, segment(y, spec, track)


def decode(blob: bytes, spec: FeatureSpec) -> np.ndarray:
    """A stored segment back to a float32 frames x coefficients matrix."""
    return np.frombuffer(blob, np.float16).reshape(-1, spec.n_mfcc).astype(np.float32)


def _settings(spec: dict, names: list[str]) -> str:
    """Some feature parameters as ``name=value``: the ones that differ, named in a refusal."""
    return ", ".join(f"{name}={spec.get(name)}" for name in names)


class Store:
    """One SQLite3 file of features made with one :class:`FeatureSpec`."""

    def __init__(self, path: str | Path, spec: FeatureSpec = FeatureSpec()):
        self.path, self.spec = Path(path), spec
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, check_same_thread=False)  # tf.data reads from its own thread
        self.db.executescript(SCHEMA)
        wanted = json.dumps(asdict(spec), sort_keys=True)
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO settings VALUES ('features', ?)", (wanted,))
        stored = self.db.execute("SELECT value FROM settings WHERE name = 'features'").fetchone()[0]
        if stored != wanted:
            self.db.close()
            was, now = json.loads(stored), json.loads(wanted)
            changed = sorted(k for k in was.keys() | now.keys() if was.get(k) != now.get(k))
            raise StoreError(f"{self.path} holds features made with {_settings(was, changed)}, not "
                             f"{_settings(now, changed)}: use another file for these parameters, or delete "
                             "this one to rebuild it")

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run any SQL on the store and return the rows (for the chapter's examples)."""
        return self.db.execute(sql, params).fetchall()

    def done(self) -> set[str]:
        """Paths of the files already stored (a file's pitch-shifted copies count as the file)."""
        return {p.split(COPY_MARK)[0] for (p,) in self.db.execute("SELECT path FROM utterances")}

    def add(self, row: dict, audio: Audio) -> int:
        """Store one file's utterance row (one per pitch shift, if the spec asks for them) and segments in a single
        transaction; return the segment count."""
        y = audio.samples
        if self.spec.snr_db:
            rng = np.random.default_rng([self.spec.seed, int(row["sha256"][:8], 16)])
            y = add_noise(y, rng.uniform(*self.spec.snr_db), rng)
        versions = {row["path"]: y}
        if self.spec.pitch_semitones:
            from speechbook.formants import shift_pitch  # formants reads stores: imported here, not at the top

            shifts = self.spec.pitch_semitones
            versions = {f"{row['path']}{COPY_MARK}{n:+g}": z for n, z in zip(shifts, shift_pitch(y, shifts))}
        made = {path: clip_segments(z, self.spec) for path, z in versions.items()}
        with self.db:  # commits every insert together, or none
            for path, (f0, pieces) in made.items():
                cur = self.db.execute(
                    "INSERT INTO utterances (path, sha256, speaker, gender, split, duration_s, median_f0_hz) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (path, row["sha256"], str(row["speaker"]), row["gender"], row["subset"],
                     audio.duration, None if np.isnan(f0) else f0))
                self.db.executemany(
                    "INSERT INTO segments VALUES (:u, :idx, :start_s, :median_f0_hz, :features)",
                    [{**p, "u": cur.lastrowid} for p in pieces])
        return sum(len(pieces) for _, pieces in made.values())

    def fill(self, ds, progress: Callable[[int, int], None] | None = None) -> int:
        """Add every file of data set ``ds`` not stored yet (resumable); return how many were added."""
        done = self.done()
        todo = [i for i, p in enumerate(ds.meta["path"]) if p not in done]
        for n, i in enumerate(todo, 1):
            self.add(ds.meta.iloc[i], ds.audio(i))
            if progress:
                progress(n, len(todo))
        return len(todo)

    def segments(self, where: str = "1", params: tuple = ()) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Feature matrices (n, frames, coefficients) and per-segment columns of the segments matching ``where``."""
        rows = self.query(
            "SELECT s.features, u.id, u.speaker, u.gender FROM segments s "
            f"JOIN utterances u ON u.id = s.utterance_id WHERE {where} ORDER BY u.id, s.idx", params)
        X = np.zeros((len(rows), self.spec.segment_frames, self.spec.n_mfcc), np.float32)
        for i, r in enumerate(rows):
            X[i] = decode(r[0], self.spec)
        return X, {n: np.array([r[k + 1] for r in rows]) for k, n in enumerate(["utterance", "speaker", "gender"])}

    def keys(self, where: str = "1", params: tuple = ()) -> np.ndarray:
        """(segment rowid, is male) of the segments matching ``where``: all a training run keeps in memory."""
        return np.array(self.query(
            "SELECT s.rowid, u.gender = 'male' FROM segments s JOIN utterances u ON u.id = s.utterance_id "
            f"WHERE {where}", params), dtype=np.int64).reshape(-1, 2)

    def fetch(self, rowids: np.ndarray) -> np.ndarray:
        """The feature matrices of these segments, in the order given."""
        blobs = dict(self.query(f"SELECT rowid, features FROM segments WHERE rowid IN ({','.join(map(str, rowids))})"))
        return np.stack([decode(blobs[int(r)], self.spec) for r in rowids])


def batches(parts: list[tuple[Store, np.ndarray]], batch_size: int = 64, seed: int = 0):
    """A ``tf.data.Dataset`` of (features, is_male) batches over the keys (see :meth:`Store.keys`) of one or
    more stores, reshuffled every epoch and read from SQLite a batch at a time, never all at once."""
    import tensorflow as tf

    keys = np.concatenate([np.column_stack([np.full(len(k), i), k]) for i, (_, k) in enumerate(parts)])
    rng = np.random.default_rng(seed)
    frames, coefficients = parts[0][0].spec.segment_frames, parts[0][0].spec.n_mfcc

    def generate() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        order = rng.permutation(len(keys))
        for start in range(0, len(order), batch_size):
            chosen = keys[order[start:start + batch_size]]
            X = np.empty((len(chosen), frames, coefficients), np.float32)
            for i, (source, _) in enumerate(parts):
                mine = chosen[:, 0] == i
                if mine.any():
                    X[mine] = source.fetch(chosen[mine, 1])
            yield X, chosen[:, 2].astype(np.float32)

    data = tf.data.Dataset.from_generator(generate, output_signature=(
        tf.TensorSpec((None, frames, coefficients), tf.float32), tf.TensorSpec((None,), tf.float32)))
    n_batches = -(-len(keys) // batch_size)
    return data.apply(tf.data.experimental.assert_cardinality(n_batches)).prefetch(2)  # Keras knows an epoch's end
