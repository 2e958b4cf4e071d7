"""Recurrence by hand: a plain RNN's fading gradient, and an LSTM's gates computed step by step from Keras weights.

Chapter: *Recurrent networks and LSTMs* (``book/lstm.ipynb``).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, which squashes to (0, 1): a gate's 'how much'."""
    return 1 / (1 + np.exp(-x))


def gradient_through_time(cell: str, steps: int = 100, units: int = 32, seed: int = 0) -> np.ndarray:
    """How strongly the last output of a freshly initialised ``SimpleRNN`` or ``LSTM`` depends on the input
    at each earlier step: the norm of d(output at the end) / d(input at step t), for t = 0 .. steps-1."""
    keras.utils.set_random_seed(seed)
    layer = {"RNN": keras.layers.SimpleRNN, "LSTM": keras.layers.LSTM}[cell](units)
    x = tf.Variable(np.random.default_rng(seed).normal(0, 1, (16, steps, 8)).astype("float32"))
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(layer(x))
    return np.linalg.norm(tape.gradient(out, x).numpy(), axis=(0, 2))


def memory(weight: float, steps: int = 100) -> np.ndarray:
    """What is left after ``t`` steps of one unit of input multiplied by ``weight`` at every step:
    a plain RNN's recurrent weight, or an LSTM's forget gate held at that value."""
    return weight ** np.arange(steps)


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
