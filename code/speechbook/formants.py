"""Formants by linear prediction: the vocal tract's resonances, the cue to a voice's sex besides its pitch; and a
pitch shift that keeps them, to ask a network which of the two it listens to.

A longer vocal tract (on average, a man's) lowers every resonance; pitch comes from the vocal folds, a separate
organ. Chapter: *Female or male? Three networks compared* (``book/gender.ipynb``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import librosa
import numpy as np
import pandas as pd
import scipy.signal

from speechbook import artifacts, audio, store
from speechbook.audio import SAMPLE_RATE
from speechbook.data import Dataset
from speechbook.tables import corner

LPC_RATE = 10_000
"""Formants up to the fourth lie below 5 kHz; resampling to 10 kHz lets a 12th-order predictor model them."""
ORDER = 12
"""Two poles per resonance (five in 5 kHz for an adult) plus two for the glottis and the lips."""
N_FORMANTS = 4


def frame_formants(frames: np.ndarray, sr: int = LPC_RATE, max_bandwidth: float = 400) -> np.ndarray:
    """The first :data:`N_FORMANTS` resonances (Hz) of each windowed frame (frames x samples), NaN where fewer
    are found: the angles of the LPC polynomial's roots, keeping sharp peaks (bandwidth < ``max_bandwidth``)."""
    a = librosa.lpc(frames * np.hamming(frames.shape[1]), order=ORDER, axis=-1)
    companion = np.zeros((len(a), ORDER, ORDER))
    companion[:, 0, :] = -a[:, 1:]
    companion[:, np.arange(1, ORDER), np.arange(ORDER - 1)] = 1
    roots = np.linalg.eigvals(companion)
    freq = np.angle(roots) * sr / (2 * np.pi)
    bandwidth = -sr / np.pi * np.log(np.maximum(np.abs(roots), 1e-9))
    ok = (roots.imag > 0) & (freq > 200) & (freq < sr / 2 - 200) & (bandwidth < max_bandwidth)
    freq = np.sort(np.where(ok, freq, np.inf), axis=1)[:, :N_FORMANTS]
    return np.where(np.isfinite(freq), freq, np.nan)


def clip_formants(y: np.ndarray, sr: int = SAMPLE_RATE) -> tuple[float, np.ndarray]:
    """A clip's median pitch (Hz) and median F1-F4 (Hz) over its voiced frames (25 ms, every 10 ms)."""
    f0, track = store.median_f0(y, sr, hop=sr // 100)
    y = scipy.signal.lfilter([1, -0.97], [1], librosa.resample(y, orig_sr=sr, target_sr=LPC_RATE))
    win, hop = LPC_RATE // 40, LPC_RATE // 100
    frames = librosa.util.frame(np.pad(y, (0, win)), frame_length=win, hop_length=hop, axis=0)
    n = min(len(frames), len(track))
    voiced = frames[:n][~np.isnan(track[:n])]
    F = frame_formants(voiced[np.abs(voiced).max(axis=1) > 0])
    complete = F[~np.isnan(F).any(axis=1)]
    return f0, (np.median(complete, axis=0) if len(complete) else np.full(N_FORMANTS, np.nan))


def shift_pitch(y: np.ndarray, semitones: Sequence[float], sr: int = SAMPLE_RATE) -> list[np.ndarray]:
    """The clip ``n`` semitones higher (negative: lower) for each ``n`` of ``semitones``, its formants where they
    were: the WORLD vocoder splits it once into pitch, spectral envelope and aperiodicity, and puts it back together
    with only the pitch scaled. Each copy peaks where the clip does."""
    import pyworld

    x = y.astype(np.float64)
    f0, t = pyworld.dio(x, sr)
    f0 = pyworld.stonemask(x, f0, t, sr)
    envelope, aperiodicity = pyworld.cheaptrick(x, f0, t, sr), pyworld.d4c(x, f0, t, sr)
    out = []
    for n in semitones:
        z = pyworld.synthesize(f0 * 2 ** (n / 12), envelope, aperiodicity, sr)[: len(y)]
        out.append((z * np.abs(y).max() / max(np.abs(z).max(), 1e-9)).astype(np.float32))
    return out


def shifted(y: np.ndarray, semitones: Sequence[float]) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """The clip with its pitch shifted by each of ``semitones`` (:func:`shift_pitch`; 0 keeps it as recorded), each
    named, and a table of their median pitch and F1-F4: the pitch moves, the formants stay."""
    moved = [n for n in semitones if n]
    copies = dict(zip(moved, shift_pitch(y, moved)))
    clips = {f"{n:+g} semitones" if n else "as recorded": copies.get(n, y) for n in semitones}
    measured = {label: [f0, *F] for label, (f0, F) in ((lb, clip_formants(z)) for lb, z in clips.items())}
    columns = ["pitch Hz"] + [f"F{i + 1} Hz" for i in range(N_FORMANTS)]
    return clips, pd.DataFrame.from_dict(measured, orient="index", columns=columns).round().astype("Int64")


def table(ds: Dataset, subset: str | None = None) -> pd.DataFrame:
    """One row per clip of ``ds`` (of its ``subset`` only, if given): path, speaker, gender, subset, median pitch
    and F1-F4 (cached on disk)."""
    rows = np.flatnonzero(ds.meta["subset"] == subset) if subset else np.arange(len(ds))

    def compute() -> dict[str, np.ndarray]:
        found = [clip_formants(ds.audio(i).samples) for i in rows]
        return {"f0": np.array([f[0] for f in found]), "F": np.stack([f[1] for f in found])}

    k = artifacts.key(ds.fingerprint, subset, modules=(sys.modules[__name__], store, audio))
    got = artifacts.cached_arrays(f"formants-{ds.name}", k, compute)
    out = ds.meta.iloc[rows][["path", "speaker", "gender", "subset"]]
    out = out.assign(speaker=out["speaker"].astype(str))
    out["pitch Hz"] = got["f0"]
    for i in range(N_FORMANTS):
        out[f"F{i + 1} Hz"] = got["F"][:, i]
    return out.reset_index(drop=True)


def cues(voices: pd.DataFrame, speakers: set[str], formant: str = "F4 Hz") -> pd.DataFrame:
    """For each of ``speakers`` (rows of :func:`table`): their pitch and ``formant``, and the sex whose typical
    value (the median over ``voices``, on a log scale) each of the two is nearer to."""
    typical = np.log(voices.groupby("gender")[["pitch Hz", formant]].median())
    mine = voices[voices["speaker"].isin(speakers)][["speaker", "gender", "pitch Hz", formant]].copy()
    for column, says in (("pitch Hz", "pitch says"), (formant, f"{formant[:2]} says")):
        distance = np.abs(np.log(mine[column].to_numpy())[:, None] - typical[column].to_numpy()[None, :])
        mine[says] = typical.index[distance.argmin(axis=1)]
    for column in ("pitch Hz", formant):
        mine[column] = mine[column].round().astype("Int64")
    return corner(mine.set_index("speaker"))
