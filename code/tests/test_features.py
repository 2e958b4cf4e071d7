"""Spectrograms, MFCCs and stamps have the right shapes and content."""

import numpy as np

from conftest import tone
from speechbook import features
from speechbook.audio import SAMPLE_RATE, to_rate


def burst() -> np.ndarray:
    """0.3 s of silence, a 0.4 s two-tone 'word', 0.3 s of silence."""
    rng = np.random.default_rng(0)
    word = tone(0.4, freq=500) + tone(0.4, freq=1500, amp=0.3)
    quiet = np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
    return np.concatenate([quiet, word, quiet]) + rng.normal(0, 1e-4, int(1.0 * SAMPLE_RATE)).astype(np.float32)


def test_spectrum_peak_at_tone_frequency():
    freqs, level = features.spectrum_db(tone(0.04, freq=1000))
    assert abs(freqs[np.argmax(level)] - 1000) <= 25
    assert level.max() == 0


def test_spectrogram_shapes():
    y = tone()
    assert features.stft_db(y).shape == (201, 101)           # 25 ms = 400 samples -> 201 bins, 10 ms hop
    assert features.log_mel(y, n_mels=40).shape == (40, 101)
    assert features.mfcc(y, n_mfcc=13).shape == (13, 101)


def test_mel_filters_cover_the_band():
    bins, bank = features.mel_filters(n_mels=32, fmax=4000)
    assert bank.shape == (32, 201)
    assert bins[np.flatnonzero(bank.sum(axis=0))[-1]] <= 4000


def test_word_span_finds_the_word():
    start, end = features.word_span(burst())
    assert abs(start / SAMPLE_RATE - 0.3) < 0.03 and abs(end / SAMPLE_RATE - 0.7) < 0.05


def test_word_span_bridges_a_short_gap_and_leaves_out_a_distant_click():
    y = burst()
    y[int(0.48 * SAMPLE_RATE):int(0.56 * SAMPLE_RATE)] = 0  # an 80 ms closure inside the word: still one word
    start, end = features.word_span(y)
    assert abs(start / SAMPLE_RATE - 0.3) < 0.03 and abs(end / SAMPLE_RATE - 0.7) < 0.05
    clicked = np.concatenate([y, np.zeros(SAMPLE_RATE, np.float32)])
    clicked[-800:-600] = 0.2  # a click one second after the word, within 30 dB of its loudest frame
    assert features.word_span(clicked) == (start, end)
    assert features.word_span(clicked, features.StampSpec(max_gap_ms=2000))[1] > 1.9 * SAMPLE_RATE


def test_stamp_shape_and_frame_minimum():
    s = features.stamp(burst())
    assert s.shape == (32, 64) and s.dtype == np.float32
    assert s.min() >= 0 and s[:, 0].min() == 0 and s[:, -1].min() == 0  # end frames are original frames
    assert s[:, 0].max() > 10  # and still carry the word's spectral shape


def test_stamp_is_the_same_from_8k_and_16k():
    y16 = burst()
    y8to16 = to_rate(to_rate(y16, SAMPLE_RATE, 8000), 8000, SAMPLE_RATE)
    a, b = features.stamp(y16), features.stamp(y8to16)
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.9
