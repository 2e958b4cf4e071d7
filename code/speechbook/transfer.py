"""Learn new words from a digit network's outputs: few examples, tested on speakers never used for training.

Chapter: *Transfer learning: animal names from a digit network* (``book/transfer.ipynb``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import keras
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from speechbook import artifacts, models, tables, train
from speechbook.data import Dataset

N_WORDS = 3
"""bird, cat, dog."""

Classifier = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
"""fit on (features, labels) and predict labels for test features."""


def word_labels(ds: Dataset) -> tuple[list[str], np.ndarray]:
    """The data set's words in alphabetical order, and each clip's word as an index into them."""
    words = sorted(ds.meta["word"].unique())
    return words, ds.meta["word"].map(words.index).to_numpy()


def log_probabilities(model: keras.Model, X: np.ndarray) -> np.ndarray:
    """The 2018 features: log of the digit network's 10 output probabilities."""
    return np.log(np.clip(train.predict(model, X), 1e-7, 1.0))


def heard_as(log_p: np.ndarray, labels: np.ndarray, words: list[str]) -> pd.DataFrame:
    """Each word's mean digit probabilities over its clips, a column per word and a row per digit (narrow enough for
    a page): which digits the word sounds like to the network."""
    heard = pd.DataFrame(np.exp(log_p), columns=pd.Index(range(log_p.shape[1]), name="heard as digit"))
    word = pd.Series(pd.Categorical.from_codes(labels, words), name="word")
    return heard.groupby(word, observed=True).mean().T


def embeddings(model: keras.Model, X: np.ndarray) -> np.ndarray:
    """The digit network's penultimate layer, L2-normalised."""
    E = models.embedding(model).predict(X[..., None], verbose=0, batch_size=256)
    return E / (np.linalg.norm(E, axis=1, keepdims=True) + 1e-9)


def conv_features(model: keras.Model, X: np.ndarray) -> np.ndarray:
    """The last convolution block's maps, mean- and max-pooled over time (see :func:`models.conv_features`)."""
    return models.conv_features(model).predict(X[..., None], verbose=0, batch_size=256)


def fit_linear_svm(F: np.ndarray, y: np.ndarray) -> LinearSVC:
    """A linear SVM, as in the 2018 workshop, fitted on features ``F`` (n, features) and labels ``y``."""
    return LinearSVC(C=1.0, max_iter=10_000).fit(F, y)


def linear_svm(F: np.ndarray, y: np.ndarray, F_test: np.ndarray) -> np.ndarray:
    """:func:`fit_linear_svm`'s predicted labels for ``F_test``."""
    return fit_linear_svm(F, y).predict(F_test)


def new_head(F: np.ndarray, y: np.ndarray, F_test: np.ndarray) -> np.ndarray:
    """A new softmax layer on the frozen network's features: multinomial logistic regression, fitted by sklearn
    (the same model as a Keras ``Dense(3, softmax)`` head, in milliseconds instead of seconds)."""
    return LogisticRegression(C=10, max_iter=2000).fit(F, y).predict(F_test)


def animal_model(digit_model: keras.Model, X: np.ndarray, y: np.ndarray, data_key: str) -> keras.Model:
    """The digit network, frozen, with a new bird/cat/dog softmax head trained on stamps ``X``, in Keras;
    cached as ``.keras`` for the command line and the recorder."""
    k = artifacts.key(data_key, modules=(models, sys.modules[__name__]))
    path = artifacts.model_folder() / f"animals-{k}.keras"
    if path.is_file():
        return keras.models.load_model(path)
    keras.utils.set_random_seed(0)
    base = models.conv_features(digit_model)
    base.trainable = False
    model = keras.Sequential([keras.Input(X.shape[1:] + (1,)), base, keras.layers.Dense(N_WORDS, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
    model.fit(X[..., None], y, batch_size=len(X), epochs=150, verbose=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return model


def draw(labels: np.ndarray, speakers: np.ndarray, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Pick ``k`` training clips per class from distinct speakers; test on every clip by anyone else."""
    chosen: list[int] = []
    for c in np.unique(labels):
        pool = np.flatnonzero((labels == c) & ~np.isin(speakers, speakers[chosen]))
        chosen.extend(rng.choice(pool, size=k, replace=False))
    train_idx = np.array(chosen)
    test = ~np.isin(speakers, speakers[train_idx])
    return train_idx, np.flatnonzero(test)


def methods(baseline: keras.Model, improved: keras.Model, X: np.ndarray) -> dict[str, tuple[np.ndarray, Classifier]]:
    """The transfer methods compared in the book, as (features of ``X``, classifier) pairs."""
    embedding, pooled = embeddings(improved, X), conv_features(improved, X)
    return {
        "2018: digit log-probs + SVM (2018 net)": (log_probabilities(baseline, X), linear_svm),
        "digit log-probs + SVM (improved net)": (log_probabilities(improved, X), linear_svm),
        "embedding + SVM (improved net)": (embedding, linear_svm),
        "conv features + SVM (improved net)": (pooled, linear_svm),
        "conv features + new softmax head (improved net)": (pooled, new_head),
    }


def learning_curve(methods: dict[str, tuple[np.ndarray, Classifier]], labels: np.ndarray, speakers: np.ndarray,
                   shots: tuple[int, ...] = (1, 3, 5, 10), draws: int = 10, seed: int = 0) -> pd.DataFrame:
    """Accuracy of each method (features, classifier) with ``k`` examples per word, over random draws.

    Every method sees the same training clips in a draw, so the comparison is fair.
    """
    rows = []
    rng = np.random.default_rng(seed)
    n_speakers, n_classes = len(set(speakers)), len(set(labels))
    too_many = [k for k in shots if n_speakers <= k * n_classes]
    if too_many:
        print(f"NOTE: {n_speakers} speakers cannot give {too_many} examples per word from distinct speakers "
              "with someone left to test on; those points are left out.")
    for k in (k for k in shots if k not in too_many):
        for d in range(draws):
            tr, te = draw(labels, speakers, k, rng)
            for method, (F, classify) in methods.items():
                accuracy = float(np.mean(classify(F[tr], labels[tr], F[te]) == labels[te]))
                rows.append({"method": method, "examples per word": k, "draw": d, "accuracy": accuracy,
                             "test clips": len(te)})
    return pd.DataFrame(rows)


def table(curve: pd.DataFrame) -> pd.DataFrame:
    """:func:`learning_curve` as one row per method and one column per number of examples, each cell the mean
    accuracy and its standard deviation over draws in %: few-shot numbers move with the clips drawn."""
    cells = curve.groupby(["method", "examples per word"], sort=False)["accuracy"].agg(
        lambda a: tables.percent_sd(a, decimals=0))
    return cells.unstack("examples per word")
