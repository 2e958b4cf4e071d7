"""Build artifacts (stamps, trained models) kept on disk, keyed by the code and the data that made them.

A rebuild reuses them; a change to the package's source or to the data gives a new key and so a
fresh computation. Chapter: *Speech stamps* (``book/speech_stamps.ipynb``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

from speechbook.build import ROOT


def folder() -> Path:
    """Where artifacts live: ``$SPEECHBOOK_ARTIFACTS``, else ``_build/artifacts`` in the repository."""
    return Path(os.environ.get("SPEECHBOOK_ARTIFACTS") or ROOT / "_build" / "artifacts")


def key(*parts: object, modules: tuple[ModuleType, ...] = ()) -> str:
    """A short sha256 over the given values and the source files of ``modules``."""
    h = hashlib.sha256()
    for module in modules:
        h.update(Path(module.__file__).read_bytes())
    for part in parts:
        h.update(repr(part).encode())
    return h.hexdigest()[:16]


def cached_arrays(name: str, k: str, compute: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Load ``name-k.npz`` if it exists, else compute the arrays and save them."""
    path = folder() / f"{name}-{k}.npz"
    if path.is_file():
        with np.load(path) as saved:
            return dict(saved)
    arrays = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)
    return arrays
