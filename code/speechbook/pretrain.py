"""Train and score a chapter's networks before the chapter runs, a few per process (``python -m speechbook train``).

TensorFlow keeps tens of MB of every network a process trains or loads, for as long as the process lives: a chapter
that trains thirty networks in its own kernel ends near 2 GB, all a mybinder.org session has. Trained and scored
first in short-lived processes, the networks and their scores then come from the cache, and the kernel loads only
the few networks whose weights or noise curve it draws (``make bench`` measures each chapter's peak memory, kernel
and these processes alike). This module imports no TensorFlow, so the kernel that calls it stays small meanwhile.

Chapters: *Speech stamps* (``book/speech_stamps.ipynb``) and *Female or male?* (``book/gender.ipynb``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

CHAPTERS = {"speech_stamps": 2, "gender": 4}
"""The chapters that train more networks than one kernel should (``python -m speechbook train`` knows each), and how
many networks one process may train or load: a crowd network adds about 150 MiB to its process, so four of them took
one past the 1.5 GB a Binder session may use; ``make bench`` measures what these limits give."""

RESTART = 75
"""Exit status of ``python -m speechbook train`` at its limit, with networks perhaps left to train or score."""

PROGRESS = "progress: "
"""How ``python -m speechbook train`` starts a line meant for the reader, such as how many networks it trained:
:func:`until_done` shows those lines and keeps the rest of a process's output, TensorFlow's included, off the page."""


def chapter(name: str) -> None:
    """Train every network chapter ``name`` needs, :data:`CHAPTERS` ``[name]`` at most in each process, saying after
    each process how many networks it trained: on Binder or Colab that takes minutes, and the reader should see it
    move. When the networks are cached, one process finds them all and says nothing."""
    here = str(Path(__file__).resolve().parents[1])  # in Colab the package is on sys.path, not installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))}
    until_done([sys.executable, "-m", "speechbook", "train", name, "--per-process", str(CHAPTERS[name])], env)


def until_done(command: list[str], env: Mapping[str, str] | None = None) -> int:
    """Run ``command`` again as long as it exits with :data:`RESTART`; returns how many times it ran. Of its output,
    only the :data:`PROGRESS` lines are shown, each with the run it came from, unless it fails: then the error says
    what it printed last."""
    runs = 0
    while True:
        runs += 1
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode not in (0, RESTART):
            raise RuntimeError(f"`{' '.join(command[1:])}` failed with exit status {done.returncode}:\n"
                               f"{(done.stdout + done.stderr)[-3000:]}")
        for line in done.stdout.splitlines():
            if line.startswith(PROGRESS):
                print(f"process {runs}: {line.removeprefix(PROGRESS)}", flush=True)
        if done.returncode == 0:
            return runs
