"""What a room does to a recording: the echo that a microphone across the room hears along with the voice.

Lets a reader measure how a network copes with far-away speech without a room or a microphone.
Chapters: *Say it yourself* (``book/say_it.ipynb``, exercise *sayit-far*) and *Speech stamps*
(``book/speech_stamps.ipynb``, exercise *stamps-room*).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve

from speechbook.audio import Audio


def impulse_response(sr: int, drr_db: float = 0, rt60_s: float = 0.5, seed: int = 0) -> np.ndarray:
    """A synthetic room: the direct sound (1 at time 0), then a noise tail that decays by 60 dB in ``rt60_s``
    seconds and holds ``drr_db`` dB less energy than the direct sound. Near a microphone ``drr_db`` is +10 dB or
    more; a few metres away in a living room (``rt60_s`` about 0.5 s) it is near 0 or below."""
    t = np.arange(1, int(rt60_s * sr)) / sr
    tail = np.random.default_rng(seed).standard_normal(len(t)) * 10 ** (-3 * t / rt60_s)
    tail *= np.sqrt(10 ** (-drr_db / 10) / np.sum(tail**2))
    return np.concatenate([[1.0], tail])


def across_room(clip: Audio, drr_db: float = 0, rt60_s: float = 0.5, seed: int = 0) -> Audio:
    """``clip`` as heard through :func:`impulse_response`'s room, its echo ringing on after the word and its peak at
    half of full scale; the change is noted."""
    y = fftconvolve(clip.samples, impulse_response(clip.sr, drr_db, rt60_s, seed))
    note = f"room echo: fades by 60 dB in {rt60_s:g} s, direct sound to echo {drr_db:+g} dB"
    return Audio((0.5 * y / np.abs(y).max()).astype(np.float32), clip.sr, clip.path, [*clip.notes, note])


def echo_level(drr_db: float | None) -> str:
    """How loud :func:`across_room`'s echo is against the voice, in words (``None``: no echo, close to the
    microphone)."""
    if drr_db is None:
        return "none: close to the microphone"
    if drr_db == 0:
        return "as loud as the voice"
    return f"{abs(drr_db):g} dB {'below' if drr_db > 0 else 'above'} the voice"
