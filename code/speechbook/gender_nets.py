"""The networks of *Female or male?*: the 2019 workshop's three architectures, how each recipe trains them on some
speakers' segments, and their clip tables on speakers they never heard.

Trained networks and their scores are cached under a key made of this module's source (with the store's and the
features'), the recipe, the data and the speakers: editing :mod:`speechbook.gender`'s tables, baselines or plots
retrains nothing. Chapters: *Female or male? Three networks compared* (``book/gender.ipynb``), and *Recurrent
networks and LSTMs* (``book/lstm.ipynb``), which opens this LSTM's gates.
"""

from __future__ import annotations

import inspect
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd
from keras import layers

from speechbook import artifacts, features, store
from speechbook.train import Trained, cached

TRAIN, OTHER = "train-clean-100", "test-other"


def fold_speakers(folds: dict[str, int], k: int) -> tuple[list[str], list[str]]:
    """Fold ``k``'s speakers (held out) and every other fold's (trained on)."""
    return [sp for sp, f in folds.items() if f == k], [sp for sp, f in folds.items() if f != k]


def in_speakers(speakers: list[str]) -> tuple[str, tuple]:
    """A ``where`` clause (and its parameters) for the segments of these speakers."""
    return f"u.speaker IN ({','.join('?' * len(speakers))})", tuple(speakers)


def first_segment() -> str:
    """A ``where`` clause keeping the first 0.55 s segment of each clip, as the 2019 workshop trained."""
    return "s.idx = (SELECT MIN(idx) FROM segments WHERE utterance_id = u.id)"


# --- the 2019 networks; each takes a Normalization layer already adapted to the training features -------------

def convnet_2019(shape: tuple[int, int], norm: layers.Normalization) -> keras.Model:
    """ConvNet: Conv2D 32 (8x4) over frames x coefficients, max-pool 3, dropout 0.25, a sigmoid unit."""
    x = inputs = keras.Input(shape)
    x = layers.Reshape(shape + (1,))(norm(x))
    x = layers.Dropout(0.25)(layers.MaxPooling2D(3)(layers.Conv2D(32, (8, 4), activation="relu")(x)))
    return keras.Model(inputs, layers.Dense(1, activation="sigmoid")(layers.Flatten()(x)), name="ConvNet")


def lstm_2019(shape: tuple[int, int], norm: layers.Normalization) -> keras.Model:
    """LSTM: two stacked LSTMs of 64 units over the frames, a sigmoid unit on the last state.

    It reads sequences of any length (trained on 55 frames), so a whole clip can be run through it."""
    x = inputs = keras.Input((None, shape[1]))
    x = layers.LSTM(64, return_sequences=True, name="lstm_frames")(norm(x))
    x = layers.LSTM(64)(x)
    return keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x), name="LSTM")


def conv_lstm_2019(shape: tuple[int, int], norm: layers.Normalization, block: int = 11) -> keras.Model:
    """ConvNet+LSTM: the ConvNet's conv block applied to each block of 11 frames, an LSTM over the blocks."""
    x = inputs = keras.Input(shape)
    x = layers.Reshape((shape[0] // block, block, shape[1], 1))(norm(x))
    conv = keras.Sequential([layers.Conv2D(32, (8, 4), activation="relu"), layers.MaxPooling2D(3),
                             layers.Dropout(0.25), layers.Flatten()], name="conv_block")
    x = layers.LSTM(64)(layers.TimeDistributed(conv)(x))
    return keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x), name="ConvNet_LSTM")


ARCHITECTURES = {"ConvNet": convnet_2019, "LSTM": lstm_2019, "ConvNet+LSTM": conv_lstm_2019}


@dataclass(frozen=True)
class Recipe:
    """How one network is trained: the 2019 way (0.55 s of each clip) or on whole clips, and with which augmented
    copies of its training clips, if any (a key of the ``copies`` :func:`fit` is given: "noise", "pitch shifts")."""

    arch: str
    whole_clips: bool = True
    augment: str = ""
    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 1e-3
    seed: int = 0

    @property
    def name(self) -> str:
        """A label for tables: the architecture and what was changed from the workshop."""
        how = "whole clips" + (f" + {self.augment}" if self.augment else "") if self.whole_clips else "0.55 s (2019)"
        return f"{self.arch}, {how}"


def fit(recipe: Recipe, clean: store.Store, copies: Mapping[str, store.Store], speakers: list[str],
        validation: tuple[np.ndarray, np.ndarray] | None = None) -> Trained:
    """Train ``recipe`` on these speakers' segments, and on their augmented copies in ``copies`` if it asks for
    them, read from the store(s) batch by batch, seeded."""
    keras.utils.set_random_seed(recipe.seed)
    where, params = in_speakers(speakers)
    if not recipe.whole_clips:
        where += f" AND {first_segment()}"
    parts = [(clean, clean.keys(where, params))]
    if recipe.augment:
        parts.append((copies[recipe.augment], copies[recipe.augment].keys(where, params)))
    data = store.batches(parts, recipe.batch_size, recipe.seed)
    norm = layers.Normalization(axis=-1)
    norm.adapt(data.map(lambda x, y: x))
    model = ARCHITECTURES[recipe.arch]((clean.spec.segment_frames, clean.spec.n_mfcc), norm)
    model.compile(optimizer=keras.optimizers.Adam(recipe.learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    # shuffle=False: store.batches reshuffles every epoch itself
    h = model.fit(data, epochs=recipe.epochs, validation_data=validation, shuffle=False, verbose=0)
    return Trained(model, h.history, time.perf_counter() - start)


def _key(recipe: Recipe, clean: store.Store, copies: Mapping[str, store.Store], speakers: list[str],
         *more: object) -> str:
    """The cache key of ``recipe`` trained on these speakers of ``clean``: code, features (its augmented copies'
    too), data, speakers, recipe, and the architecture's own source, which a notebook may have put in
    :data:`ARCHITECTURES` under any name."""
    fingerprint = clean.query("SELECT group_concat(sha256) FROM (SELECT sha256 FROM utterances ORDER BY path)")
    copy = copies[recipe.augment].spec if recipe.augment else None
    return artifacts.key(recipe, inspect.getsource(ARCHITECTURES[recipe.arch]), clean.spec, copy, fingerprint,
                         sorted(speakers), *more,
                         modules=(sys.modules[__name__], store, features))


def train(recipe: Recipe, clean: store.Store, copies: Mapping[str, store.Store], speakers: list[str],
          validation: tuple[np.ndarray, np.ndarray] | None = None) -> Trained:
    """:func:`fit`, or the model saved by an earlier identical run (same code, features, speakers and recipe)."""
    return cached("gender", _key(recipe, clean, copies, speakers, validation is not None),
                  lambda: fit(recipe, clean, copies, speakers, validation), recipe)


def evaluate(model: keras.Model, s: store.Store, where: str, params: tuple = (),
             segments: tuple[np.ndarray, dict[str, np.ndarray]] | None = None) -> pd.DataFrame:
    """One row per clip: its speaker, gender, how many segments, the mean probability of 'male' over its
    segments (the vote) and segment-level accuracy; the model's size and seconds of compute per second of audio
    in ``attrs``. ``segments`` are those ``where`` selects, when the caller has already read them."""
    X, cols = segments or s.segments(where, params)
    start = time.perf_counter()
    p = model.predict(X, verbose=0, batch_size=512)[:, 0]
    per_audio_s = (time.perf_counter() - start) / (len(X) * s.spec.segment_frames * s.spec.hop_ms / 1000)
    segs = pd.DataFrame({"utterance": cols["utterance"], "speaker": cols["speaker"], "gender": cols["gender"],
                         "p_male": p, "segment_correct": (p > 0.5) == (cols["gender"] == "male")})
    clips = segs.groupby("utterance").agg(speaker=("speaker", "first"), gender=("gender", "first"),
                                          segments=("p_male", "size"), p_male=("p_male", "mean"),
                                          segment_accuracy=("segment_correct", "mean"))
    clips["predicted"] = np.where(clips["p_male"] > 0.5, "male", "female")
    clips["correct"] = clips["predicted"] == clips["gender"]
    paths = dict(s.query("SELECT id, path FROM utterances"))
    clips["path"] = [paths[int(u)] for u in clips.index]
    clips.attrs.update(parameters=model.count_params(), seconds_per_audio_second=per_audio_s)
    return clips.reset_index()


@dataclass
class FoldResult:
    """One recipe trained on one fold: the model (loaded from the cache when first used) and its clip tables on
    the held-out fold and on test-other."""

    recipe: Recipe
    fold: int
    trained: Trained
    held_out: pd.DataFrame
    other: pd.DataFrame


def run_fold(recipe: Recipe, clean: store.Store, copies: Mapping[str, store.Store], folds: dict[str, int],
             fold: int) -> FoldResult:
    """Train on every fold but ``fold`` (tested each epoch on it), then evaluate on it and on test-other. Both are
    cached: once done, neither the network nor its scores are computed again, and the network is not even loaded."""
    held, rest = fold_speakers(folds, fold)
    where, params = in_speakers(held)
    X, cols = segments = clean.segments(where, params)
    trained = train(recipe, clean, copies, rest, validation=(X, (cols["gender"] == "male").astype("float32")))
    held_out, other = artifacts.cached_tables(
        "gender-clips", _key(recipe, clean, copies, rest, sorted(held)),
        lambda: [evaluate(trained.model, clean, where, params, segments),
                 evaluate(trained.model, clean, "u.split = ?", (OTHER,))])
    return FoldResult(recipe, fold, trained, held_out, other)
