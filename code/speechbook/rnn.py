"""Recurrence by hand: a plain RNN's fading gradient, a memory test it fails and an LSTM passes, and an LSTM's gates
computed step by step from Keras weights.

Chapter: *Recurrent networks and LSTMs* (``book/lstm.ipynb``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from speechbook import artifacts

CELLS = {"RNN": keras.layers.SimpleRNN, "GRU": keras.layers.GRU, "LSTM": keras.layers.LSTM}
"""The recurrent layers the chapter and its exercises compare, by the names its figures give them."""

FLAGGED_AMONG = 5
""":func:`flag_task` flags one of each sequence's first this many numbers."""


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, which squashes to (0, 1): a gate's 'how much'."""
    return 1 / (1 + np.exp(-x))


def gradient_through_time(cell: str, steps: int = 100, units: int = 32, seed: int = 0) -> np.ndarray:
    """How strongly the last output of a freshly initialised ``SimpleRNN`` or ``LSTM`` depends on the input
    at each earlier step: the norm of d(output at the end) / d(input at step t), for t = 0 .. steps-1."""
    keras.utils.set_random_seed(seed)
    layer = CELLS[cell](units)
    x = tf.Variable(np.random.default_rng(seed).normal(0, 1, (16, steps, 8)).astype("float32"))
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(layer(x))
    return np.linalg.norm(tape.gradient(out, x).numpy(), axis=(0, 2))


def memory(weight: float, steps: int = 100) -> np.ndarray:
    """What is left after ``t`` steps of one unit of input multiplied by ``weight`` at every step:
    a plain RNN's recurrent weight, or an LSTM's forget gate held at that value."""
    return weight ** np.arange(steps)


def flag_task(steps: int, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A memory test: ``n`` sequences of ``steps`` random numbers (input 0), one of the first :data:`FLAGGED_AMONG`
    flagged by input 1. The answer, 1 if the flagged number is positive, must be carried to the end past the noise
    that follows it."""
    x = np.zeros((n, steps, 2), "float32")
    x[:, :, 0] = rng.normal(0, 1, (n, steps))
    rows, flagged = np.arange(n), rng.integers(0, FLAGGED_AMONG, n)
    x[rows, flagged, 1] = 1
    return x, (x[rows, flagged, 0] > 0).astype("float32")


@dataclass(frozen=True)
class MemoryRun:
    """One network trained on :func:`flag_task`: its training accuracy after each epoch, and on new sequences."""

    cell: str
    steps: int
    seed: int
    accuracy: list[float]
    test: float


def memory_test(cell: str, steps: int, epochs: int = 20, units: int = 32, seed: int = 0) -> MemoryRun:
    """Train a recurrent layer of :data:`CELLS` with ``units`` (then one sigmoid unit) on 2,000 :func:`flag_task`
    sequences of ``steps`` steps, Adam 0.01 in batches of 32, and score it on 1,000 new ones: can it carry the
    flagged sign? The scores are cached, keyed by this module's code and the arguments, so a rerun trains nothing."""
    def run() -> dict[str, np.ndarray]:
        keras.utils.set_random_seed(seed)
        rng = np.random.default_rng(seed)
        (x, y), (x_test, y_test) = flag_task(steps, 2000, rng), flag_task(steps, 1000, rng)
        model = keras.Sequential([keras.Input((steps, 2)), CELLS[cell](units),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
        accuracy = model.fit(x, y, batch_size=32, epochs=epochs, verbose=0).history["accuracy"]
        return {"accuracy": np.array(accuracy), "test": np.array(model.evaluate(x_test, y_test, verbose=0)[1])}

    k = artifacts.key(cell, steps, epochs, units, seed, modules=(sys.modules[__name__],))
    scores = artifacts.cached_arrays("memory-test", k, run)
    return MemoryRun(cell, steps, seed, scores["accuracy"].tolist(), float(scores["test"]))


def lstm_gates(layer: keras.layers.LSTM, x: np.ndarray) -> dict[str, np.ndarray]:
    """Run a trained Keras LSTM over one sequence ``x`` (steps x inputs) by hand, keeping every gate.

    Keras stores the four blocks of weights in the order input gate, forget gate, candidate, output gate.
    Returns arrays of shape (steps, units): ``input``, ``forget``, ``output`` gates, ``cell`` state and
    ``hidden`` output.
    """
    W, U, b = (np.asarray(w) for w in layer.get_weights())
    n = U.shape[0]
    h, c = np.zeros(n), np.zeros(n)
    out = {k: [] for k in ("input", "forget", "candidate", "output", "cell", "hidden")}
    for x_t in x:
        z = x_t @ W + h @ U + b
        i, f, g, o = sigmoid(z[:n]), sigmoid(z[n:2 * n]), np.tanh(z[2 * n:3 * n]), sigmoid(z[3 * n:])
        c = f * c + i * g
        h = o * np.tanh(c)
        for k, v in zip(out, (i, f, g, o, c, h)):
            out[k].append(v)
    return {k: np.array(v) for k, v in out.items()}
