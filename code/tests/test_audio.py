"""Bad audio gets a clear message naming the file, or a correct, recorded conversion to 16 kHz mono."""

import numpy as np
import pytest

from conftest import tone
from speechbook.audio import SAMPLE_RATE, AudioError, load


def test_plain_16k_mono_is_unchanged(wav):
    a = load(wav(tone()))
    assert a.sr == SAMPLE_RATE and a.samples.shape == (SAMPLE_RATE,) and a.notes == []
    assert np.allclose(a.samples, tone(), atol=1e-3)


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_other_rates_are_resampled(wav, rate):
    a = load(wav(tone(sr=rate), sr=rate))
    assert a.sr == SAMPLE_RATE
    assert abs(len(a.samples) - SAMPLE_RATE) <= 2
    assert a.notes == [f"resampled {rate} Hz -> 16000 Hz"]
    spectrum = np.abs(np.fft.rfft(a.samples))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / len(a.samples) - 440) < 2  # still a 440 Hz tone


def test_stereo_is_mixed_to_mono(wav):
    a = load(wav(np.stack([tone(), 0.5 * tone()], axis=1)))
    assert a.samples.ndim == 1 and a.notes == ["2 channels mixed down to mono"]
    assert np.isclose(np.abs(a.samples).max(), 0.375, atol=1e-2)


def test_clipped_file_is_flagged_not_dropped(wav):
    a = load(wav(np.clip(3 * tone(), -1, 1)))
    assert a.clipped and a.notes[0].startswith("clipped:")
    assert len(a.samples) == SAMPLE_RATE


def test_dc_offset_is_removed(wav):
    assert abs(load(wav(tone() + 0.2)).samples.mean()) < 1e-3


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioError, match=r"empty\.wav: the file is empty"):
        load(path)


def test_truncated_file(wav):
    path = wav(tone(), name="cut.wav")
    path.write_bytes(path.read_bytes()[: 44 + 10_000])
    with pytest.raises(AudioError, match=r"cut\.wav: the file is truncated: the header promises 16000 samples"):
        load(path)


def test_header_only_file(wav):
    path = wav(tone(), name="stub.wav")
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(AudioError, match=r"stub\.wav: not a readable audio file"):
        load(path)


def test_not_audio(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("this is a text file, not a recording")
    with pytest.raises(AudioError, match=r"notes\.wav: not a readable audio file"):
        load(path)


def test_silent_file(wav):
    with pytest.raises(AudioError, match=r"quiet\.wav: the file is silent"):
        load(wav(np.zeros(SAMPLE_RATE, dtype=np.float32), name="quiet.wav"))


def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match=r"nowhere\.wav: no such file"):
        load(tmp_path / "nowhere.wav")


def test_flac_reads(wav):
    assert load(wav(tone(), name="clip.flac")).duration == pytest.approx(1.0)
