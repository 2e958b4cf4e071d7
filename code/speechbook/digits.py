"""Spoken-digit experiments: the official split and leave-one-speaker-out, for any stamp recipe.

Chapter: *Speech stamps: recognising spoken digits* (``book/speech_stamps.ipynb``).
"""

from __future__ import annotations

import hashlib
import sys
import time
from typing import NamedTuple

import keras
import numpy as np
import pandas as pd

from speechbook import artifacts, data, features, listen, models, tables, train, transfer
from speechbook.data import Dataset

DIGIT_NAMES = [str(d) for d in range(10)]


def split_masks(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Train and test masks: FSDD's official split (repetitions 0-4 test), or the corpus's held-out voices."""
    test = (ds.meta["split"] == "test").to_numpy()
    return ~test, test


def remove_speaker_means(X: np.ndarray, speakers: np.ndarray) -> np.ndarray:
    """Subtract from each stamp its speaker's average spectrum (over all their stamps; no labels needed).

    The voice and the microphone go; unlike a stamp's own average, the word's average spectrum stays."""
    out = X.astype(np.float32)
    for speaker in np.unique(speakers):
        mine = speakers == speaker
        out[mine] -= X[mine].mean(axis=(0, 2), keepdims=True)
    return out


def stamps(ds: Dataset, recipe: train.Recipe) -> np.ndarray:
    """The data set's stamps as ``recipe`` reads them: with each speaker's average removed if it asks so."""
    X = features.dataset_stamps(ds)
    return remove_speaker_means(X, ds.meta["speaker"].to_numpy()) if recipe.speaker_means else X


def training_set(ds: Dataset, X: np.ndarray, mask: np.ndarray,
                 recipe: train.Recipe) -> tuple[np.ndarray, np.ndarray]:
    """The stamps ``X`` of ``ds`` under ``mask``, with labels; with ``recipe.synthetic_voices`` the corpus's ten
    voices are added, with ``recipe.crowd`` the crowd's 94 too (never when the corpus itself stands in for the
    data: its test voices must stay unheard)."""
    X, y = X[mask], ds.meta["digit"].to_numpy()[mask]
    if recipe.synthetic_voices and ds.name != "corpus":
        extra = [data.stand_in("fsdd")] + ([data.load("crowd")] if recipe.crowd else [])
        X = np.concatenate([X] + [stamps(voices, recipe) for voices in extra])
        y = np.concatenate([y] + [voices.meta["digit"].to_numpy() for voices in extra])
    return X, y


def predict(model: keras.Model, X: np.ndarray, speakers: np.ndarray | None = None) -> np.ndarray:
    """Digit probabilities of stamps ``X``; given each stamp's speaker, every speaker's stamps go through a copy
    of the network adapted to that voice (:func:`speechbook.models.adapt_batch_norm`; no labels used)."""
    if speakers is None:
        return train.predict(model, X)
    probabilities = np.empty((len(X), model.output_shape[-1]), dtype=np.float32)
    for speaker in np.unique(speakers):
        mine = speakers == speaker
        probabilities[mine] = train.predict(models.adapt_batch_norm(model, X[mine]), X[mine])
    return probabilities


def _sha(X: np.ndarray) -> str:
    """A digest of an array's bytes, for cache keys."""
    return hashlib.sha256(np.ascontiguousarray(X).tobytes()).hexdigest()


def probabilities(trained: train.Trained, X: np.ndarray, speakers: np.ndarray | None = None) -> np.ndarray:
    """:func:`predict` with a trained network, cached beside it (named after the network's file, keyed by the stamps
    and this module): the process that trained the network scores it, and the chapter's kernel need not load it."""
    k = artifacts.key(_sha(X), speakers is not None, modules=(sys.modules[__name__],))
    return artifacts.cached_arrays(f"scores-{trained.name}", k,
                                   lambda: {"p": predict(trained.model, X, speakers)})["p"]


def svm_head(ds: Dataset, trained: train.Trained, X: np.ndarray, fit_on: np.ndarray,
             recipe: train.Recipe) -> train.Trained:
    """The network ``trained`` (``recipe``'s, trained on the clips ``fit_on`` of ``ds``, whose stamps are ``X``) with
    its head swapped for a linear SVM, fitted on its time-pooled last-convolution features
    (:func:`speechbook.models.conv_features`) of the same training stamps (:func:`training_set`). A linear SVM is a
    dense layer fitted with another loss, so the new network is the convolutions, pooled, then one dense layer holding
    the SVM's weights: it outputs each digit's decision value, and is saved as ``.keras`` like any other (its training
    time includes the network's). The network's file name already says what it was trained on, so a cached head is
    found without gathering the training stamps again."""

    def fit() -> train.Trained:
        start = time.perf_counter()
        X_fit, y_fit = training_set(ds, X, fit_on, recipe)
        svm = transfer.fit_linear_svm(transfer.conv_features(trained.model, X_fit), y_fit)
        features = models.conv_features(trained.model)
        dense = keras.layers.Dense(len(svm.classes_), name="svm")
        # one input tensor, not a list of one: adapting its batch norm (:func:`predict`) feeds it a bare array
        head = keras.Model(features.inputs[0], dense(features.outputs[0]), name=f"{trained.model.name}_svm")
        dense.set_weights([svm.coef_.T, svm.intercept_])
        return train.Trained(head, {}, trained.seconds + time.perf_counter() - start)

    k = artifacts.key(_sha(fit_on), modules=(sys.modules[__name__], transfer))
    return train.cached(f"{trained.name}-svm", k, fit, recipe)


class Run(NamedTuple):
    """A row of the chapter's tables: whose networks, and how they are tested."""

    recipe: str
    adapt: bool = False
    """Each test speaker's stamps go through a copy of the network adapted to that voice (:func:`predict`)."""
    svm: bool = False
    """The network's head is swapped for a linear SVM fitted on its training stamps (:func:`svm_head`)."""


def _tested(ds: Dataset, run: Run, trained: train.Trained, X: np.ndarray, fit_on: np.ndarray,
            test: np.ndarray) -> tuple[train.Trained, train.Evaluation]:
    """``trained`` (a network of ``run.recipe`` trained on the clips ``fit_on``) scored on the clips ``test`` as
    ``run`` says; with ``run.svm``, the network handed back (and scored) is :func:`svm_head`'s."""
    if run.svm:
        trained = svm_head(ds, trained, X, fit_on, train.RECIPES[run.recipe])
    scores = probabilities(trained, X[test], ds.meta["speaker"].to_numpy()[test] if run.adapt else None)
    return trained, train.score(scores, ds.meta["digit"].to_numpy()[test], 10)


def trained_official(ds: Dataset, recipe: str, X: np.ndarray | None = None) -> train.Trained:
    """``recipe``'s network trained on the official training split, tested each epoch on the test split (from the
    cache when it exists); ``X`` are the data set's stamps under ``recipe``, when the caller already has them."""
    X = stamps(ds, train.RECIPES[recipe]) if X is None else X
    tr, te = split_masks(ds)
    return train.train(f"digits-{recipe}", *training_set(ds, X, tr, train.RECIPES[recipe]), train.RECIPES[recipe],
                       10, ds.fingerprint, validation=(X[te], ds.meta["digit"].to_numpy()[te]))


def official(ds: Dataset, recipe: str, adapt: bool = False,
             svm: bool = False) -> tuple[train.Trained, train.Evaluation]:
    """Train ``recipe`` on the official training split (tested each epoch) and evaluate on the test split,
    with ``adapt`` each test speaker's batch-norm statistics re-estimated first, with ``svm`` through an SVM head."""
    X = stamps(ds, train.RECIPES[recipe])
    tr, te = split_masks(ds)
    return _tested(ds, Run(recipe, adapt, svm), trained_official(ds, recipe, X), X, tr, te)


def fit_accuracy(ds: Dataset, recipe: str) -> float:
    """How many of its own training takes ``recipe``'s official network gets right, measured as the test is: after
    training, with every unit on and clean stamps. Its training curve, measured while each epoch runs, with dropout
    and augmentation on, reads lower."""
    X, y = stamps(ds, train.RECIPES[recipe]), ds.meta["digit"].to_numpy()
    tr = split_masks(ds)[0]
    return train.score(probabilities(trained_official(ds, recipe, X), X[tr]), y[tr], 10).accuracy


def trained_without(ds: Dataset, recipe: str, speaker: str, X: np.ndarray | None = None) -> train.Trained:
    """``recipe``'s network trained on every speaker of ``ds`` but ``speaker`` (from the cache when it exists);
    ``X`` are the data set's stamps under ``recipe``, when the caller already has them."""
    X = stamps(ds, train.RECIPES[recipe]) if X is None else X
    rest = ds.meta["speaker"].to_numpy() != speaker
    return train.train(f"digits-{recipe}-without-{speaker}", *training_set(ds, X, rest, train.RECIPES[recipe]),
                       train.RECIPES[recipe], 10, ds.fingerprint)


def leave_one_speaker_out(ds: Dataset, recipe: str, adapt: bool = False,
                          svm: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    """Train once per speaker without that speaker's clips and test on them (with ``adapt``, on a copy of the
    network whose batch-norm statistics come from the held-out speaker's stamps; with ``svm``, through an SVM head
    fitted on the same training stamps as the network).

    Returns one row per held-out speaker (accuracy, training seconds) and every clip's prediction.
    """
    X = stamps(ds, train.RECIPES[recipe])
    speakers = ds.meta["speaker"].to_numpy()
    predicted = np.empty(len(X), dtype=int)
    rows = []
    for speaker in sorted(set(speakers)):
        held = speakers == speaker
        model, result = _tested(ds, Run(recipe, adapt, svm), trained_without(ds, recipe, speaker, X), X, ~held, held)
        predicted[held] = result.predicted
        rows.append({"held-out speaker": speaker, "accuracy": result.accuracy, "train time (s)": model.seconds})
    return pd.DataFrame(rows), predicted


def mistakes(ds: Dataset, predicted: np.ndarray, mask: np.ndarray | None = None) -> pd.DataFrame:
    """The clips under ``mask`` (all by default) whose ``predicted`` digit is wrong: the digit said and heard and
    the clip's length, indexed like ``ds.meta`` so that ``ds.audio(i)`` plays one; the errors worth listening to."""
    meta = ds.meta if mask is None else ds.meta[mask]
    clips = pd.DataFrame({"path": meta["path"], "said": meta["digit"], "heard": predicted,
                          "seconds": meta["duration_s"]})
    return clips[clips["said"] != clips["heard"]]


def play(ds: Dataset, clips: pd.DataFrame) -> None:
    """For each row of :func:`mistakes`, the clip's path, the digit said and heard, and an audio player."""
    for i, clip in clips.iterrows():
        listen.play(ds.audio(i).samples, f"{clip.path}: said {clip.said}, heard {clip.heard}")


ADAPTED = "crowd + adapted batch norm"
"""The crowd networks, tested after adapting their batch norm to each test speaker."""
SVM = "crowd + SVM head"
"""The crowd networks' convolutions, read by a linear SVM instead of their own dense layers."""
RUNS = {**{name: Run(name) for name in train.RECIPES}, ADAPTED: Run("crowd", adapt=True), SVM: Run("crowd", svm=True)}
"""The rows of the chapter's tables, by name."""


def every_leave_one_speaker_out(ds: Dataset) -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    """:func:`leave_one_speaker_out` for every row of :data:`RUNS` (trained networks come from the cache)."""
    return {name: leave_one_speaker_out(ds, *run) for name, run in RUNS.items()}


def per_speaker(loso: dict[str, tuple[pd.DataFrame, np.ndarray]]) -> pd.DataFrame:
    """:func:`leave_one_speaker_out` results side by side: one column per run, one row per held-out speaker, and
    their mean as the last row, so that a step that wins on the mean can be checked speaker by speaker."""
    table = pd.DataFrame({name: rows.set_index("held-out speaker")["accuracy"] for name, (rows, _) in loso.items()})
    table.loc["mean"] = table.mean()
    return tables.corner(table)


def every_official(ds: Dataset) -> dict[str, tuple[train.Trained, train.Evaluation]]:
    """:func:`official` for every row of :data:`RUNS` (trained networks come from the cache)."""
    return {name: official(ds, *run) for name, run in RUNS.items()}


CURVES = ("2018", "improved")
"""The recipes whose official training curves the chapter draws, beside :func:`fit_accuracy`."""


def score_every_network(ds: Dataset) -> None:
    """Train (or find cached) and score every network of :data:`RUNS`, and the training takes of :data:`CURVES`:
    what ``python -m speechbook train`` does before the chapter runs, so that the chapter's kernel loads only the
    networks whose weights it draws."""
    every_official(ds)
    every_leave_one_speaker_out(ds)
    for recipe in CURVES:
        fit_accuracy(ds, recipe)


def summary(ds: Dataset, loso: dict[str, tuple[pd.DataFrame, np.ndarray]] | None = None,
            officials: dict[str, tuple[train.Trained, train.Evaluation]] | None = None) -> pd.DataFrame:
    """One row per run of :data:`RUNS`: official-split and leave-one-speaker-out accuracy, size and training time.
    ``loso`` and ``officials`` are :func:`every_leave_one_speaker_out`'s and :func:`every_official`'s results,
    when the caller already has them."""
    officials = officials or every_official(ds)
    rows = []
    for name, (per_speaker, _) in (loso or every_leave_one_speaker_out(ds)).items():
        trained, result = officials[name]
        rows.append({"model": name, "official split": result.accuracy,
                     "unseen speakers (LOSO mean)": per_speaker["accuracy"].mean(),
                     "worst speaker": per_speaker["accuracy"].min(), "parameters": trained.parameters,
                     "train time (s)": trained.seconds})
    return tables.corner(pd.DataFrame(rows).set_index("model"))
