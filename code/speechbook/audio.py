"""Read any audio file as 16 kHz mono float32, or say clearly why not.

Chapter: *Sound as data* (``book/sound_as_data.ipynb``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

SAMPLE_RATE = 16_000
"""Every signal in the book is resampled to this rate (Hz)."""

SILENCE_PEAK = 1e-4
"""A file whose absolute peak stays below this is treated as silent."""

CLIP_LEVEL = 0.999
CLIP_FRACTION = 0.001
"""A file is flagged as clipped when more than 0.1 % of its samples sit at full scale."""


class AudioError(ValueError):
    """A file cannot be used as speech audio; the message names the file and the reason."""


@dataclass
class Audio:
    """A loaded recording: samples at ``sr`` Hz, where it came from and what was changed."""

    samples: np.ndarray
    sr: int
    path: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sr

    @property
    def clipped(self) -> bool:
        """True when the original file was clipped (flagged, kept)."""
        return any(n.startswith("clipped") for n in self.notes)


def _declared_frames(path: Path) -> int | None:
    """Frames promised by a RIFF/WAVE header's data chunk, or None if not a plain WAV."""
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        block_align = None
        while True:
            chunk = f.read(8)
            if len(chunk) < 8:
                return None
            cid, size = chunk[:4], int.from_bytes(chunk[4:], "little")
            if cid == b"fmt ":
                fmt = f.read(size)
                block_align = int.from_bytes(fmt[12:14], "little")
                f.seek(size % 2, 1)
            elif cid == b"data":
                if not block_align or size in (0, 0xFFFFFFFF):
                    return None  # streaming writers leave the size open
                return size // block_align
            else:
                f.seek(size + size % 2, 1)


def read(path: str | Path) -> tuple[np.ndarray, int]:
    """Decode a file as float32 (frames, channels), raising AudioError for empty, broken or truncated files."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the file is empty (0 bytes)")
    try:
        data, sr = sf.read(path, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as err:
        raise AudioError(f"{path}: not a readable audio file ({err})") from None
    declared = _declared_frames(path)
    if declared is not None and len(data) < declared:
        raise AudioError(
            f"{path}: the file is truncated: the header promises {declared} samples, "
            f"only {len(data)} are there"
        )
    if len(data) == 0:
        raise AudioError(f"{path}: the file holds no samples")
    return data, sr


def load(path: str | Path, sr: int = SAMPLE_RATE) -> Audio:
    """Load a file as mono float32 at ``sr`` Hz, noting every conversion; silent files raise AudioError."""
    path = Path(path)
    data, native_sr = read(path)
    notes: list[str] = []
    if data.shape[1] > 1:
        notes.append(f"{data.shape[1]} channels mixed down to mono")
    y = data.mean(axis=1)
    peak = float(np.max(np.abs(y)))
    if peak < SILENCE_PEAK:
        raise AudioError(f"{path}: the file is silent (peak {peak:.1e}); there is no speech to analyse")
    at_full_scale = float(np.mean(np.abs(data) >= CLIP_LEVEL))
    if at_full_scale > CLIP_FRACTION:
        notes.append(f"clipped: {at_full_scale:.1%} of samples at full scale")
    return Audio(to_rate(y - y.mean(), native_sr, sr, notes), sr, path, notes)


def to_rate(y: np.ndarray, native_sr: int, sr: int, notes: list[str] | None = None) -> np.ndarray:
    """Resample with an anti-aliasing filter (soxr), recording the change in ``notes``."""
    if native_sr == sr:
        return y.astype(np.float32)
    import librosa

    if notes is not None:
        notes.append(f"resampled {native_sr} Hz -> {sr} Hz")
    return librosa.resample(y, orig_sr=native_sr, target_sr=sr, res_type="soxr_hq").astype(np.float32)
