"""Classify any audio file with the book's trained networks: spoken digits, or bird/cat/dog.

Used by the chapter *Say it yourself* (``book/say_it.ipynb``) and by
``python -m speechbook predict clip.wav --task digits|animals``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from speechbook import data, digits, features, train, transfer
from speechbook.audio import Audio, load

TASKS = ("digits", "animals")


@dataclass
class Prediction:
    """What a network heard: the best label, every label's probability, and the stamp it looked at."""

    label: str
    probabilities: dict[str, float]
    stamp: np.ndarray
    audio: Audio

    @property
    def confidence(self) -> float:
        """Probability of the best label."""
        return self.probabilities[self.label]


@dataclass
class Recogniser:
    """A trained stamp network with the names of its classes and the data it was trained on."""

    model: keras.Model
    labels: list[str]
    trained_on: str

    def __call__(self, source: str | Path | Audio) -> Prediction:
        """Load (with the book's checks), stamp and classify one recording."""
        return self.batch([source])[0]

    def batch(self, sources: Iterable[str | Path | Audio]) -> list[Prediction]:
        """Classify many recordings in one pass of the network: hundreds of clips in a second or two, where
        one call each costs tens of milliseconds."""
        clips = [source if isinstance(source, Audio) else load(source) for source in sources]
        stamps = np.stack([features.stamp(clip.samples) for clip in clips])
        return [Prediction(self.labels[int(np.argmax(p))], {name: float(q) for name, q in zip(self.labels, p)},
                           stamp, clip)
                for p, stamp, clip in zip(train.predict(self.model, stamps), stamps, clips)]


def recogniser(task: str) -> Recogniser:
    """The improved digit network, or the animal-word head on top of it (trained once, then cached)."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    fsdd = data.load("fsdd", fallback=True)
    digit_model, _ = digits.official(fsdd, "improved")
    if task == "digits":
        return Recogniser(digit_model.model, digits.DIGIT_NAMES, fsdd.source)
    animals = data.load("speech-commands-animals", fallback=True)
    words, labels = transfer.word_labels(animals)
    model = transfer.animal_model(digit_model.model, features.dataset_stamps(animals), labels,
                                  f"{fsdd.fingerprint}-{animals.fingerprint}")
    return Recogniser(model, words, f"{animals.source}, on a network trained on {fsdd.source}")
