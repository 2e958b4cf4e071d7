"""Train and evaluate stamp classifiers with fixed seeds; trained models are cached as ``.keras`` files.

Chapter: *Speech stamps* (``book/speech_stamps.ipynb``).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import keras
import numpy as np
from sklearn.metrics import confusion_matrix

from speechbook import artifacts, features, models


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a training run besides the data."""

    arch: str
    epochs: int
    batch_size: int
    learning_rate: float
    augment: bool
    synthetic_voices: bool = False
    speaker_means: bool = False
    """Remove each speaker's average stamp spectrum from their stamps, instead of each stamp's own average."""
    crowd: bool = False
    """Add the synthetic crowd to training: 94 more voices, each saying every digit once."""
    average_last: int = 0
    """Average the weights of the last this many epochs (stochastic weight averaging), then re-estimate the batch-norm
    statistics for the averaged weights on the training stamps: one settled network instead of the last noisy step."""
    seed: int = 0


RECIPES = {
    "2018": Recipe("2018", epochs=15, batch_size=20, learning_rate=1e-3, augment=False),
    "improved": Recipe("improved", epochs=15, batch_size=64, learning_rate=2e-3, augment=True, synthetic_voices=True),
    "speaker-normalised": Recipe("improved", epochs=15, batch_size=64, learning_rate=2e-3, augment=True,
                                 synthetic_voices=True, speaker_means=True),
    # chosen on validation folds carved from FSDD's training takes (exercise stamps-validation): 24 epochs with the
    # last 8 averaged made 22 errors of 1,800 where 11 epochs with the last 4 made 35; 32 epochs (19) took over a minute
    "crowd": Recipe("improved", epochs=24, batch_size=64, learning_rate=2e-3, augment=True, synthetic_voices=True,
                    speaker_means=True, crowd=True, average_last=8),
}


def warp_frequency(X: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Stretch each stamp's band axis by its factor: a longer or shorter vocal tract, i.e. another speaker."""
    bands = np.arange(X.shape[1])
    src = np.clip(bands[None, :] * factors[:, None], 0, X.shape[1] - 1)  # (n, bands)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, X.shape[1] - 1)
    w = (src - lo).astype(X.dtype)[:, :, None]  # float64 weights would make the whole warp 7x slower
    rows = np.arange(len(X))[:, None]
    return X[rows, lo] * (1 - w) + X[rows, hi] * w


def augment(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """New versions of stamps (n, bands, frames): frequency warp of +-15 % (vocal tract length),
    time shift of up to 6 frames, one frequency mask (up to 4 bands), one time mask (up to 8 frames)."""
    n, n_bands, n_frames = X.shape
    X = warp_frequency(X, rng.uniform(0.85, 1.15, n))
    shifts = rng.integers(-6, 7, n)
    X = X[np.arange(n)[:, None], :, (np.arange(n_frames)[None, :] - shifts[:, None]) % n_frames].transpose(0, 2, 1)
    f0, fw = rng.integers(0, n_bands, n), rng.integers(0, 5, n)
    t0, tw = rng.integers(0, n_frames, n), rng.integers(0, 9, n)
    bands, frames = np.arange(n_bands), np.arange(n_frames)
    keep_f = ~((bands[None] >= f0[:, None]) & (bands[None] < (f0 + fw)[:, None]))
    keep_t = ~((frames[None] >= t0[:, None]) & (frames[None] < (t0 + tw)[:, None]))
    return (X * (keep_f[:, :, None] & keep_t[:, None, :])).astype(np.float32, copy=False)


@dataclass
class Trained:
    """A trained model, its per-epoch history and how long training took (s). A cached model stays on disk until
    ``model`` is first read: a process that only makes sure a network exists, or finds its scores cached, never
    loads it."""

    saved: keras.Model | Path
    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    name: str = ""
    """The cache file's stem, key included (set by :func:`cached`): what scores cached beside the network go by."""
    parameters: int | None = None
    """How many weights the network has, recorded by :func:`cached` so that a table needs no network loaded (None
    from a cache file written before the count was)."""

    @cached_property
    def model(self) -> keras.Model:
        """The network: ``saved`` itself, or loaded from the ``.keras`` file ``saved`` names (one of the networks
        :func:`limit_networks` allows this process)."""
        if isinstance(self.saved, keras.Model):
            return self.saved
        _take_one(self.saved)
        return keras.models.load_model(self.saved)


def fit(X: np.ndarray, y: np.ndarray, recipe: Recipe, n_classes: int,
        validation: tuple[np.ndarray, np.ndarray] | None = None) -> Trained:
    """Train ``recipe.arch`` on stamps ``X`` (n, bands, frames) and integer labels ``y``, seeded."""
    keras.utils.set_random_seed(recipe.seed)
    rng = np.random.default_rng(recipe.seed)
    model = models.ARCHITECTURES[recipe.arch](X.shape[1:] + (1,), n_classes, band_means=not recipe.speaker_means)
    # 16 batches per call into TensorFlow instead of one: the same updates (the same weights, to the last digit), with
    # a fifth less of each epoch spent in Python's per-batch overhead on 2 CPU cores
    model.compile(optimizer=keras.optimizers.Adam(recipe.learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"], steps_per_execution=16)
    if recipe.augment:  # standardise first, so that masks fill in with the average level, not with silence
        X = models.standardise(X, band_means=not recipe.speaker_means)
    val = (validation[0][..., None], validation[1]) if validation else None
    history: dict[str, list[float]] = {}
    total: list[np.ndarray] = []
    start = time.perf_counter()
    for epoch in range(recipe.epochs):
        Xe = augment(X, rng) if recipe.augment else X
        h = model.fit(Xe[..., None], y, batch_size=recipe.batch_size, epochs=1, validation_data=val, verbose=0)
        for name, values in h.history.items():
            history.setdefault(name, []).extend(values)
        if epoch >= recipe.epochs - recipe.average_last:
            total = [t + w for t, w in zip(total, model.get_weights())] if total else model.get_weights()
    if recipe.average_last:
        model.set_weights([t / recipe.average_last for t in total])
        model = models.adapt_batch_norm(model, X)
    return Trained(model, history, time.perf_counter() - start)


class NetworkLimit(Exception):
    """Raised when this process is asked for one network more than :func:`limit_networks` allowed."""


_networks_left: int | None = None


def limit_networks(n: int | None) -> None:
    """Let this process train or load at most ``n`` more networks (None: no limit); :mod:`speechbook.pretrain` uses
    it to start a fresh process every few networks, as TensorFlow keeps tens of MB of each one for good."""
    global _networks_left
    _networks_left = n


def _take_one(path: Path) -> None:
    """Count the network at ``path`` against :func:`limit_networks`, or raise :class:`NetworkLimit` if none is left."""
    global _networks_left
    if _networks_left is not None:
        if _networks_left <= 0:
            raise NetworkLimit(f"trained or loaded as many networks as allowed; {path.name} is left for the next "
                               "process")
        _networks_left -= 1


def cached(name: str, k: str, fit: Callable[[], Trained], recipe: object) -> Trained:
    """The model ``name-k.keras`` (with its history) saved by an earlier identical run, loaded when first used, or
    ``fit`` and save it; raise :class:`NetworkLimit` instead when :func:`limit_networks` allows no more, so that
    whatever the process does with the networks it has (scoring them) is done before it stops."""
    path = artifacts.model_folder() / f"{name}-{k}.keras"
    meta = path.with_suffix(".json")
    if path.is_file() and meta.is_file():
        saved = json.loads(meta.read_text())
        return Trained(path, saved["history"], saved["seconds"], path.stem, saved.get("parameters"))
    _take_one(path)
    trained = fit()
    trained.name, trained.parameters = path.stem, trained.model.count_params()
    path.parent.mkdir(parents=True, exist_ok=True)
    trained.model.save(path)
    meta.write_text(json.dumps({"history": trained.history, "seconds": trained.seconds,
                                "parameters": trained.parameters, "recipe": asdict(recipe)}))
    return trained


def train(tag: str, X: np.ndarray, y: np.ndarray, recipe: Recipe, n_classes: int, data_key: str,
          validation: tuple[np.ndarray, np.ndarray] | None = None) -> Trained:
    """:func:`fit`, or load the model saved by an earlier identical run (same code, data and recipe)."""
    k = artifacts.key(tag, recipe, data_key, n_classes, validation is not None,
                      modules=(models, features, sys.modules[__name__]))
    return cached(tag, k, lambda: fit(X, y, recipe, n_classes, validation), recipe)


def predict(model: keras.Model, X: np.ndarray) -> np.ndarray:
    """Class probabilities for stamps ``X`` (n, bands, frames)."""
    return model.predict(X[..., None], verbose=0, batch_size=256)


@dataclass
class Evaluation:
    """Accuracy, predictions and confusion matrix of a model on a labelled set."""

    accuracy: float
    predicted: np.ndarray
    confusion: np.ndarray


def score(probabilities: np.ndarray, y: np.ndarray, n_classes: int) -> Evaluation:
    """Accuracy and confusion matrix of class ``probabilities`` (n, classes) against true labels ``y``."""
    predicted = probabilities.argmax(axis=1)
    return Evaluation(float(np.mean(predicted == y)), predicted,
                      confusion_matrix(y, predicted, labels=range(n_classes)))


def evaluate(model: keras.Model, X: np.ndarray, y: np.ndarray, n_classes: int) -> Evaluation:
    """Score a model on stamps ``X`` with true labels ``y``."""
    return score(predict(model, X), y, n_classes)
