"""Shared fixtures: small audio files written on the fly, and the real data folder when present."""

import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

SR = 16_000


def tone(seconds: float = 1.0, sr: int = SR, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    """A sine tone with a 10 ms fade, as float32."""
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.fixture
def wav(tmp_path):
    """Write samples to a WAV file in a temporary folder and return its path."""

    def write(y: np.ndarray, sr: int = SR, name: str = "clip.wav", subtype: str = "PCM_16") -> Path:
        path = tmp_path / name
        sf.write(path, y, sr, subtype=subtype)
        return path

    return write


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real recordings folder (``$SPEECHBOOK_DATA`` or ``../shared/datasets``); tests that need it are skipped
    without it."""
    from speechbook.data import data_folder

    folder = data_folder()
    if not folder or not (folder / "fsdd").is_dir():
        pytest.skip("real recordings not available (set SPEECHBOOK_DATA)")
    return folder


@pytest.fixture(scope="session")
def site() -> Path:
    """The book built by the README's command (cells that raise fail the build)."""
    from speechbook.build import ROOT

    subprocess.run(["make", "-C", str(ROOT), "book"], check=True)
    return ROOT / "_build" / "html"
