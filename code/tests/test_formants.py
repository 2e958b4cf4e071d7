"""Formants by linear prediction, checked on vowels synthesised with known resonances."""

import numpy as np
import pytest
import scipy.signal

from speechbook import formants

SR = 16_000


def vowel(pitch: float, resonances: list[float], seconds: float = 1.0) -> np.ndarray:
    """A vowel as the source-filter model makes one: a glottal pulse train through one resonator per formant."""
    y = np.zeros(int(seconds * SR))
    y[:: int(SR / pitch)] = 1.0
    for f in resonances:
        r = np.exp(-np.pi * 80 / SR)  # 80 Hz bandwidth
        y = scipy.signal.lfilter([1 - r], [1, -2 * r * np.cos(2 * np.pi * f / SR), r**2], y)
    return (0.5 * y / np.abs(y).max()).astype(np.float32)


def test_pitch_and_four_formants_of_a_synthetic_vowel_are_found():
    pitch, found = formants.clip_formants(vowel(120, [600, 1400, 2500, 3500]))
    assert pitch == pytest.approx(120, rel=0.03)
    assert found == pytest.approx([600, 1400, 2500, 3500], rel=0.08)


def test_a_longer_vocal_tract_lowers_every_formant_but_not_the_pitch():
    tract = np.array([600, 1400, 2500, 3500])
    _, short = formants.clip_formants(vowel(200, list(tract)))
    pitch, long = formants.clip_formants(vowel(200, list(tract * 0.85)))  # 18 % longer tract
    assert np.all(long < short) and np.mean(long / short) < 0.9  # F1 is pulled towards a harmonic at 200 Hz
    assert pitch == pytest.approx(200, rel=0.03)


def test_a_pitch_shift_moves_the_pitch_and_keeps_the_formants():
    import librosa

    tract = [600, 1400, 2500, 3500]
    clips, table = formants.shifted(vowel(120, tract, seconds=2), semitones=(4, 0, -4))
    assert list(clips) == list(table.index) == ["+4 semitones", "as recorded", "-4 semitones"]
    assert table["pitch Hz"].tolist() == pytest.approx([120 * 2 ** (4 / 12), 120, 120 / 2 ** (4 / 12)], rel=0.03)
    for label in table.index:
        assert table.loc[label, ["F1 Hz", "F2 Hz", "F3 Hz", "F4 Hz"]].tolist() == pytest.approx(tract, rel=0.08)
    assert np.abs(clips["+4 semitones"]).max() == pytest.approx(np.abs(clips["as recorded"]).max())
    _, moved = formants.clip_formants(librosa.effects.pitch_shift(clips["as recorded"], sr=SR, n_steps=4))
    assert np.all(moved / tract > 1.2)  # resampling moves them with the pitch, as a smaller head would


def test_silence_has_no_formants():
    pitch, found = formants.clip_formants(np.zeros(SR, np.float32))
    assert np.isnan(pitch) and np.isnan(found).all()


def test_cues_say_which_sex_each_number_is_nearer_to():
    import pandas as pd

    voices = pd.DataFrame({"speaker": ["f1", "f2", "m1", "m2", "x"], "gender": ["female"] * 2 + ["male"] * 3,
                           "pitch Hz": [200.0, 210.0, 110.0, 120.0, 190.4], "F4 Hz": [4100, 4000, 3500, 3450, 3520.0]})
    row = formants.cues(voices, {"x"}).loc["x"]
    assert (row["pitch says"], row["F4 says"]) == ("female", "male")  # a high-voiced man with a long vocal tract
    assert row["pitch Hz"] == 190


def test_table_of_one_subset_measures_only_its_clips(tmp_path, monkeypatch):
    from speechbook import data

    monkeypatch.setenv("SPEECHBOOK_ARTIFACTS", str(tmp_path))
    ds = data.stand_in("librispeech-gender")
    voices = formants.table(ds, "test-other")
    assert len(voices) == (ds.meta["subset"] == "test-other").sum() > 0
    assert set(voices["subset"]) == {"test-other"}
    assert voices["pitch Hz"].notna().mean() > 0.9 and voices["F4 Hz"].notna().mean() > 0.9
    men = voices["gender"] == "male"
    assert voices.loc[men, "pitch Hz"].median() < voices.loc[~men, "pitch Hz"].median()
