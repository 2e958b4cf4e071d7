"""Build the book (``make book``): executed notebooks are cached, keyed by the package code and the data.

Jupyter Book's cache only notices changes to a notebook's own cells. The key written next to it also
covers ``code/speechbook/``, ``data/`` and which data sets are reachable, so a change to any of them
re-executes the chapters instead of publishing stale results.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
KEY_INPUTS = ["code/speechbook", "data/datasets.toml", "data/registry", "data/corpus/manifest.csv",
              "requirements.txt"]


def chapters(root: Path = ROOT) -> list[Path]:
    """The notebooks listed in ``_toc.yml``, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [root / f"{f}.ipynb" for f in files if (root / f"{f}.ipynb").exists()]


def cache_key(root: Path = ROOT) -> str:
    """sha256 over the package's source, the data registry and the data settings."""
    h = hashlib.sha256()
    for name in KEY_INPUTS:
        base = root / name
        for path in sorted([base] if base.is_file() else base.rglob("*")):
            if path.is_file() and path.suffix != ".pyc":
                h.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    for var in ("SPEECHBOOK_DATA", "SPEECHBOOK_DOWNLOAD"):
        h.update(f"{var}={os.environ.get(var, '')}".encode())
    return h.hexdigest()


def build(out: Path = ROOT, root: Path = ROOT, quiet: bool = False) -> float:
    """Build into ``out/_build/html`` with cell errors fatal; return the seconds it took."""
    start = time.perf_counter()
    key_file = out / "_build" / ".speechbook-key"
    key = cache_key(root)
    if not key_file.is_file() or key_file.read_text() != key:
        for stale in (".jupyter_cache", ".doctrees"):  # Sphinx must re-read, and the kernel re-run, every chapter
            shutil.rmtree(out / "_build" / stale, ignore_errors=True)
    subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(root), "--path-output", str(out),
         "-W", "-n", "--keep-going", *(["-q"] if quiet else [])],
        check=True, stdout=subprocess.DEVNULL if quiet else None,
    )
    key_file.write_text(key)
    return time.perf_counter() - start


if __name__ == "__main__":
    try:
        build()
    except subprocess.CalledProcessError as err:
        sys.exit(err.returncode)
