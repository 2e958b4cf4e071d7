"""Audio players for the pages, each named by what it plays.

IPython's player is an unnamed ``<audio>`` element: a screen reader announces "audio" and nothing more, however
clear the printed line above it is. Every chapter plays its clips through :class:`Player`, most with :func:`play`,
which prints that line and names the player by it.

Chapter: *Sound as data* (``book/sound_as_data.ipynb``).
"""

from __future__ import annotations

import html

import numpy as np
from IPython.display import Audio, display

from speechbook.audio import SAMPLE_RATE


class Player(Audio):
    """IPython's audio player with ``label`` as its accessible name (``aria-label``), e.g. the clip's file name."""

    def __init__(self, samples: np.ndarray, label: str, sr: int = SAMPLE_RATE, normalize: bool = True):
        super().__init__(samples, rate=sr, normalize=normalize)
        self.label = label

    def _repr_html_(self) -> str:
        return super()._repr_html_().replace("<audio ", f'<audio aria-label="{html.escape(self.label)}" ', 1)


def play(samples: np.ndarray, label: str, sr: int = SAMPLE_RATE, normalize: bool = True) -> None:
    """Print ``label`` and show a :class:`Player` named by the same words under it: what a reader sees and what a
    screen reader says match."""
    print(label)
    display(Player(samples, label, sr, normalize))
