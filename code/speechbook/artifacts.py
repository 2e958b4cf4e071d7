"""Build artifacts (stamps, trained models, their scores) kept on disk, keyed by the code and the data that made
them.

A rebuild reuses them; a change to the package's source or to the data gives a new key and so a
fresh computation. Chapters: *Speech stamps* (``book/speech_stamps.ipynb``), *Recurrent networks and LSTMs*
(``book/lstm.ipynb``) and *Female or male?* (``book/gender.ipynb``).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import numpy as np
import pandas as pd

from speechbook.build import ROOT

T = TypeVar("T")


def folder() -> Path:
    """Where artifacts live: ``$SPEECHBOOK_ARTIFACTS``, else ``_build/artifacts`` in the repository."""
    return Path(os.environ.get("SPEECHBOOK_ARTIFACTS") or ROOT / "_build" / "artifacts")


def model_folder() -> Path:
    """Where trained networks are saved, as ``.keras`` with a ``.json`` of their history: the ``models`` folder of
    :func:`folder`, which the train command counts new networks in."""
    return folder() / "models"


def key(*parts: object, modules: tuple[ModuleType, ...] = ()) -> str:
    """A short sha256 over the given values and the :func:`code` of ``modules``."""
    h = hashlib.sha256()
    for module in modules:
        h.update(code(module))
    for part in parts:
        h.update(repr(part).encode())
    return h.hexdigest()[:16]


def code(module: ModuleType) -> bytes:
    """The module's code as Python parses it, without its comments, docstrings and layout: mending a docstring or a
    comment leaves every key as it was, so nothing is retrained for it."""
    return _parsed(Path(module.__file__).read_bytes())


@functools.cache
def _parsed(source: bytes) -> bytes:
    """:func:`code` of a module's ``source``, parsed once per process: a chapter asks for hundreds of keys over the
    same few modules, and parsing was a third of a cached run of *Speech stamps*."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(node, field, None)
            if isinstance(statements, list):
                setattr(node, field, [s for s in statements if not _prose(s)] or [ast.Pass()])
    return ast.dump(tree).encode()


def _prose(statement: ast.AST) -> bool:
    """A string standing alone as a statement: a docstring, or the note under a constant. Python ignores it."""
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def cached_arrays(name: str, k: str, compute: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Load ``name-k.npz`` if it exists, else compute the arrays and save them."""
    def load(path: Path) -> dict[str, np.ndarray]:
        with np.load(path) as saved:
            return dict(saved)

    return _cached(folder() / f"{name}-{k}.npz", load, lambda path, arrays: np.savez_compressed(path, **arrays),
                   compute)


def cached_tables(name: str, k: str, compute: Callable[[], list[pd.DataFrame]]) -> list[pd.DataFrame]:
    """Load ``name-k.pkl`` if it exists, else compute the tables and save them (with their ``attrs``)."""
    return _cached(folder() / f"{name}-{k}.pkl", pd.read_pickle, lambda path, tables: pd.to_pickle(tables, path),
                   compute)


def _cached(path: Path, load: Callable[[Path], T], save: Callable[[Path, T], object], compute: Callable[[], T]) -> T:
    """``load`` the file at ``path`` if it exists, else compute its value and ``save`` it there whole: a run killed
    half-way leaves a temporary file behind, never a truncated artifact."""
    if path.is_file():
        return load(path)
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.tmp{path.suffix}")
    save(tmp, value)
    tmp.replace(path)
    return value
