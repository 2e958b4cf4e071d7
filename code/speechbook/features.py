"""From samples to pictures: spectrograms, mel and MFCC features, and the fixed-size "stamp".

Chapter: *Sound as data* (``book/sound_as_data.ipynb``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import librosa
import numpy as np

from speechbook import artifacts, audio
from speechbook.audio import SAMPLE_RATE


def frames(ms: float, sr: int = SAMPLE_RATE) -> int:
    """Milliseconds to a whole number of samples."""
    return int(round(ms * sr / 1000))


def stft_db(y: np.ndarray, sr: int = SAMPLE_RATE, win_ms: float = 25, hop_ms: float = 10) -> np.ndarray:
    """Linear-frequency magnitude spectrogram in dB (freq bins x frames), 0 dB at the loudest cell."""
    n = frames(win_ms, sr)
    spec = np.abs(librosa.stft(y, n_fft=n, hop_length=frames(hop_ms, sr), win_length=n, window="hann"))
    return librosa.amplitude_to_db(spec, ref=np.max, top_db=80)


def spectrum_db(frame: np.ndarray, sr: int = SAMPLE_RATE) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (Hz) and magnitude (dB re. the peak) of one Hann-windowed frame: the Fourier transform."""
    mag = np.abs(np.fft.rfft(frame * np.hanning(len(frame))))
    return np.fft.rfftfreq(len(frame), 1 / sr), librosa.amplitude_to_db(mag, ref=np.max, top_db=80)


def mel_filters(n_mels: int = 32, win_ms: float = 25, sr: int = SAMPLE_RATE,
                fmax: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """FFT bin frequencies (Hz) and the triangular mel filter bank (n_mels x bins) that pools them."""
    n = frames(win_ms, sr)
    return np.fft.rfftfreq(n, 1 / sr), librosa.filters.mel(sr=sr, n_fft=n, n_mels=n_mels, fmax=fmax)


def mel_power(y: np.ndarray, sr: int = SAMPLE_RATE, n_mels: int = 40, win_ms: float = 25,
              hop_ms: float = 10, fmax: float | None = None) -> np.ndarray:
    """Mel-band power spectrogram (bands x frames), not yet log-compressed."""
    n = frames(win_ms, sr)
    return librosa.feature.melspectrogram(
        y=y, sr=sr, n_fft=n, hop_length=frames(hop_ms, sr), n_mels=n_mels, fmax=fmax, power=2.0
    )


def log_mel(y: np.ndarray, sr: int = SAMPLE_RATE, **kw) -> np.ndarray:
    """Log-compressed mel spectrogram in dB, 0 dB at the loudest cell, floor -80 dB."""
    return librosa.power_to_db(mel_power(y, sr, **kw), ref=np.max, top_db=80)


def mfcc(y: np.ndarray, sr: int = SAMPLE_RATE, n_mfcc: int = 13, **kw) -> np.ndarray:
    """Mel-frequency cepstral coefficients (coefficients x frames): the DCT of the log-mel spectrum."""
    return librosa.feature.mfcc(S=librosa.power_to_db(mel_power(y, sr, **kw)), n_mfcc=n_mfcc)


@dataclass(frozen=True)
class StampSpec:
    """How a word becomes a stamp; the defaults follow the 2018 Speech Stamps workshop.

    ``fmax`` is 4 kHz so that 8 kHz telephone-band recordings (FSDD) and 16 kHz ones give the same picture.
    """

    n_mels: int = 32
    n_frames: int = 64
    win_ms: float = 25
    hop_ms: float = 10
    fmax: float = 4000
    threshold_db: float = 30
    max_gap_ms: float = 120


def word_span(y: np.ndarray, spec: StampSpec = StampSpec(), sr: int = SAMPLE_RATE) -> tuple[int, int]:
    """First and last sample of the word: the frames within ``threshold_db`` of the loudest frame that form one
    run around it, bridging quiet gaps up to ``max_gap_ms`` (a stop consonant's silent closure, as of the *k* in "six").

    A click or a breath further away than that, before or after the word, is left out of the stamp."""
    hop = frames(spec.hop_ms, sr)
    rms = librosa.feature.rms(y=y, frame_length=frames(spec.win_ms, sr), hop_length=hop)[0]
    db = librosa.amplitude_to_db(rms, ref=np.max)
    loud = np.flatnonzero(db > -spec.threshold_db)
    runs = np.split(loud, np.flatnonzero(np.diff(loud) > spec.max_gap_ms / spec.hop_ms) + 1)
    peak = np.argmax(db)
    word = next(run for run in runs if run[0] <= peak <= run[-1])
    return int(word[0] * hop), int(min(len(y), (word[-1] + 1) * hop + frames(spec.win_ms, sr)))


def stamp(y: np.ndarray, spec: StampSpec = StampSpec(), sr: int = SAMPLE_RATE) -> np.ndarray:
    """A word as a fixed-size log-mel image (``n_mels`` x ``n_frames``), each frame's minimum subtracted."""
    start, end = word_span(y, spec, sr)
    logmel = librosa.power_to_db(
        mel_power(y[start:end], sr, n_mels=spec.n_mels, win_ms=spec.win_ms, hop_ms=spec.hop_ms, fmax=spec.fmax),
        top_db=None,
    )
    logmel -= logmel.min(axis=0, keepdims=True)
    t_old = np.linspace(0, 1, logmel.shape[1])
    t_new = np.linspace(0, 1, spec.n_frames)
    return np.stack([np.interp(t_new, t_old, band) for band in logmel]).astype(np.float32)


def dataset_stamps(ds, spec: StampSpec = StampSpec()) -> np.ndarray:
    """Stamps of every clip of a :class:`speechbook.data.Dataset` (clips x bands x frames), cached on disk."""

    def compute() -> dict[str, np.ndarray]:
        return {"X": np.stack([stamp(ds.audio(i).samples, spec) for i in range(len(ds))])}

    k = artifacts.key(ds.fingerprint, spec, modules=(sys.modules[__name__], audio))
    return artifacts.cached_arrays(f"stamps-{ds.name}", k, compute)["X"]
