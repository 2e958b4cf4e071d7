"""Convolution, ReLU and pooling by hand on a stamp: what a CNN's first layers compute.

Chapter: *Convolutional networks, on sound* (``book/cnn_on_sound.ipynb``).
"""

from __future__ import annotations

import re
from collections import Counter

import keras
import numpy as np
import pandas as pd
from scipy.signal import correlate2d

from speechbook.tables import corner

# Rows are mel bands (low frequencies first), columns are frames (time runs left to right).
KERNELS: dict[str, np.ndarray] = {
    "onset (energy rising in time)": np.array([[-1, 0, 1]] * 3) / 3,
    "offset (energy falling in time)": np.array([[1, 0, -1]] * 3) / 3,
    "band edge (more energy above)": np.array([[-1] * 3, [0] * 3, [1] * 3]) / 3,
    "rising formant (diagonal)": (3 * np.eye(3) - 1) / 3,
    "blur (average)": np.ones((3, 3)) / 9,
}


def convolve(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Slide ``kernel`` over ``image`` and sum the products (cross-correlation, as Keras' Conv2D does)."""
    return correlate2d(image, kernel, mode="same", boundary="symm")


def relu(x: np.ndarray) -> np.ndarray:
    """Keep positive responses, zero the rest."""
    return np.maximum(x, 0)


def max_pool(x: np.ndarray, size: int) -> np.ndarray:
    """Keep the largest value of each ``size`` x ``size`` block (edges that do not fill a block are dropped)."""
    h, w = (x.shape[0] // size) * size, (x.shape[1] // size) * size
    return x[:h, :w].reshape(h // size, size, w // size, size).max(axis=(1, 3))


def parameter_table(model: keras.Model) -> pd.DataFrame:
    """Each layer's output shape and parameter count, with the arithmetic behind the count, one row per layer by
    name (no row for the input, which a functional model lists as a layer and a sequential one does not).

    Keras numbers its layer names across every model a process builds (a second network's first convolution is
    ``conv2d_2``); the table numbers them within this model, as a reader counts them."""
    rows = []
    seen: Counter[str] = Counter()
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        n = layer.count_params()
        if isinstance(layer, keras.layers.Conv2D):
            kh, kw = layer.kernel_size
            c_in = layer.input.shape[-1]
            how = f"({kh}x{kw}x{c_in} + 1) x {layer.filters}" if layer.use_bias else \
                f"({kh}x{kw}x{c_in}) x {layer.filters}, no bias"
        elif isinstance(layer, keras.layers.Dense):
            how = f"({layer.input.shape[-1]} + 1) x {layer.units}"
        elif isinstance(layer, keras.layers.BatchNormalization):
            how = f"4 x {layer.input.shape[-1]}: scale, shift, mean, variance"
        else:
            how = str(n) if n else ""
        base = re.sub(r"_\d+$", "", layer.name)
        name = f"{base}_{seen[base]}" if seen[base] else base
        seen[base] += 1
        rows.append({"layer": name, "output shape": str(tuple(layer.output.shape[1:])),
                     "parameters": n, "how": how})
    return corner(pd.DataFrame(rows).set_index("layer"))
