"""Build benchmark: clean-build time, no-change rebuild time and each chapter's peak memory.

Run ``make bench`` (or ``python -m speechbook.bench``). Targets: clean build < 8 min on 2 cores,
no-change rebuild < 15 s, every chapter < 1.5 GB.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from speechbook.build import build, chapters


def execute(notebook: Path, save_to: Path | None = None) -> None:
    """Run a notebook top to bottom in a fresh kernel (in its own folder); raise on any cell error."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}
                   ).execute()
    if save_to:
        nbformat.write(nb, save_to)


def peak_mb(notebook: Path) -> float:
    """Peak resident memory (MB) of the kernel that runs ``notebook``, measured in a child process."""
    code = ("import resource, sys; from pathlib import Path; from speechbook.bench import execute; "
            "execute(Path(sys.argv[1])); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, str(notebook)], check=True, capture_output=True, text=True)
    return int(out.stdout.split()[-1]) / 1024


def main() -> None:
    """Print the three figures the issue tracker asks every chapter to keep."""
    with tempfile.TemporaryDirectory() as tmp:
        clean = build(Path(tmp), quiet=True)
        rebuild = build(Path(tmp), quiet=True)
    print(f"clean build (every chapter executed): {clean:7.1f} s   (target < 480 s)")
    print(f"no-change rebuild:                    {rebuild:7.1f} s   (target < 15 s)")
    for nb in chapters():
        print(f"peak memory {nb.stem:<24}  {peak_mb(nb):7.0f} MB  (target < 1536 MB)")


if __name__ == "__main__":
    main()
