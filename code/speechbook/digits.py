"""Spoken-digit experiments: the official split and leave-one-speaker-out, for any stamp recipe.

Chapter: *Speech stamps: recognising spoken digits* (``book/speech_stamps.ipynb``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from speechbook import data, features, train
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


def training_set(ds: Dataset, mask: np.ndarray, recipe: train.Recipe) -> tuple[np.ndarray, np.ndarray]:
    """Stamps and labels to train on; with ``recipe.synthetic_voices`` the corpus's ten voices are added
    (never when the corpus itself stands in for the data, whose test voices must stay unheard)."""
    X, y = stamps(ds, recipe)[mask], ds.meta["digit"].to_numpy()[mask]
    if recipe.synthetic_voices and ds.name != "corpus":
        voices = data.stand_in("fsdd")
        X = np.concatenate([X, stamps(voices, recipe)])
        y = np.concatenate([y, voices.meta["digit"].to_numpy()])
    return X, y


def official(ds: Dataset, recipe: str) -> tuple[train.Trained, train.Evaluation]:
    """Train ``recipe`` on the official training split (tested each epoch) and evaluate on the test split."""
    X, y = stamps(ds, train.RECIPES[recipe]), ds.meta["digit"].to_numpy()
    tr, te = split_masks(ds)
    model = train.train(f"digits-{recipe}", *training_set(ds, tr, train.RECIPES[recipe]), train.RECIPES[recipe],
                        10, ds.fingerprint, validation=(X[te], y[te]))
    return model, train.evaluate(model.model, X[te], y[te], 10)


def leave_one_speaker_out(ds: Dataset, recipe: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Train once per speaker without that speaker's clips and test on them.

    Returns one row per held-out speaker (accuracy, training seconds) and every clip's prediction.
    """
    X, y = stamps(ds, train.RECIPES[recipe]), ds.meta["digit"].to_numpy()
    speakers = ds.meta["speaker"].to_numpy()
    predicted = np.empty_like(y)
    rows = []
    for speaker in sorted(set(speakers)):
        held = speakers == speaker
        model = train.train(f"digits-{recipe}-without-{speaker}", *training_set(ds, ~held, train.RECIPES[recipe]),
                            train.RECIPES[recipe], 10, ds.fingerprint)
        result = train.evaluate(model.model, X[held], y[held], 10)
        predicted[held] = result.predicted
        rows.append({"held-out speaker": speaker, "accuracy": result.accuracy, "train time (s)": model.seconds})
    return pd.DataFrame(rows), predicted


def summary(ds: Dataset, recipes: tuple[str, ...] = tuple(train.RECIPES)) -> pd.DataFrame:
    """One row per recipe: official-split and leave-one-speaker-out accuracy, size and training time."""
    rows = []
    for recipe in recipes:
        trained, result = official(ds, recipe)
        loso, _ = leave_one_speaker_out(ds, recipe)
        rows.append({"model": recipe, "official split": result.accuracy,
                     "unseen speakers (LOSO mean)": loso["accuracy"].mean(),
                     "worst speaker": loso["accuracy"].min(), "parameters": trained.model.count_params(),
                     "train time (s)": trained.seconds})
    return pd.DataFrame(rows).set_index("model")
