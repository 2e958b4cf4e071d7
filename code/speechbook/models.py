"""The networks of the book, as Keras builders; each takes raw stamps and standardises them itself.

Chapters: *Convolutional networks, on sound* and *Speech stamps* (``book/speech_stamps.ipynb``).
"""

from __future__ import annotations

import logging

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

# In a notebook TensorFlow logs its warnings (retracing, ...) to stdout, onto the page: errors only.
logging.getLogger("tensorflow").setLevel(logging.ERROR)


@keras.saving.register_keras_serializable(package="speechbook")
class Standardise(layers.Layer):
    """Subtract each band's mean over time (removes a microphone's colouring), then scale the stamp to unit variance.

    With ``band_means=False`` only the scaling is done: for stamps whose speaker's average was already removed
    (:func:`speechbook.digits.remove_speaker_means`), which keeps the word's own average spectrum."""

    def __init__(self, band_means: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.band_means = band_means

    def call(self, x):
        if self.band_means:
            x = x - ops.mean(x, axis=2, keepdims=True)
        return x / (ops.std(x, axis=(1, 2, 3), keepdims=True) + 1e-6)

    def get_config(self):
        return {**super().get_config(), "band_means": self.band_means}


def standardise(X: np.ndarray, band_means: bool = True) -> np.ndarray:
    """:class:`Standardise` applied to a batch of stamps (n, bands, frames) outside a model."""
    return ops.convert_to_numpy(Standardise(band_means)(X[..., None]))[..., 0]


def speech_stamps_2018(input_shape: tuple[int, int, int] = (32, 64, 1), n_classes: int = 10,
                       band_means: bool = True) -> keras.Model:
    """The 2018 workshop's CNN: Conv 16@5x5, pool, Conv 16@5x5, pool, Dense 32, Dropout 0.5, softmax.

    Its input is standardised as the improved network's is: on raw dB stamps it does not learn at all.
    """
    return keras.Sequential([
        keras.Input(input_shape),
        Standardise(band_means),
        layers.Conv2D(16, 5, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(16, 5, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(32, activation="relu", name="embedding"),
        layers.Dropout(0.5),
        layers.Dense(n_classes, activation="softmax"),
    ], name="speech_stamps_2018")


@keras.saving.register_keras_serializable(package="speechbook")
class FusedBatchNorm(layers.BatchNormalization):
    """Batch normalisation whose training step is TensorFlow's one fused kernel, where Keras 3 spells it out in a
    dozen small operations: the same arithmetic (to rounding) in less time, so that the crowd recipe trains within
    a minute on 2 CPU cores."""

    def __init__(self, name: str | None = None, **kwargs):
        # named as Keras names its own layer (batch_normalization, then _1, _2...): tables say what it does, not how
        uid = keras.backend.get_uid("batch_normalization")
        super().__init__(name=name or "batch_normalization" + (f"_{uid - 1}" if uid > 1 else ""), **kwargs)

    def call(self, inputs, training=None, mask=None):
        if not (training and self.trainable and mask is None and inputs.ndim == 4 and self.axis in (-1, 3)):
            return super().call(inputs, training=training, mask=mask)
        y, mean, variance = tf.compat.v1.nn.fused_batch_norm(inputs, self.gamma, self.beta, epsilon=self.epsilon,
                                                              is_training=True)
        n = tf.cast(tf.reduce_prod(tf.shape(inputs)[:-1]), variance.dtype)
        variance = variance * (n - 1) / n  # the kernel hands back the unbiased variance; Keras averages the biased
        self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1 - self.momentum))
        self.moving_variance.assign(self.moving_variance * self.momentum + variance * (1 - self.momentum))
        return y


def _conv_bn(x, filters: int, name: str | None = None):
    """3x3 convolution, batch normalisation, ReLU (named ``name``)."""
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    return layers.ReLU(name=name)(FusedBatchNorm()(x))


def stamp_cnn(input_shape: tuple[int, int, int] = (32, 64, 1), n_classes: int = 10,
              band_means: bool = True) -> keras.Model:
    """The improved CNN: standardised input, three 3x3 conv + batch-norm + pool blocks, dropout, Dense 64, softmax.

    The dense layer sees a 4 x 8 map, so *where* in frequency a pattern sits still counts (formants do).
    """
    x = inputs = keras.Input(input_shape)
    x = Standardise(band_means)(x)
    for filters in (16, 32, 64):
        x = layers.MaxPooling2D(2)(_conv_bn(x, filters, "last_conv" if filters == 64 else None))
    x = layers.Dropout(0.5)(layers.Flatten()(x))
    x = layers.Dense(64, activation="relu", name="embedding")(x)
    outputs = layers.Dense(n_classes, activation="softmax")(layers.Dropout(0.3)(x))
    return keras.Model(inputs, outputs, name="stamp_cnn")


ARCHITECTURES = {"2018": speech_stamps_2018, "improved": stamp_cnn}


@keras.saving.register_keras_serializable(package="speechbook")
class PoolOverTime(layers.Layer):
    """Mean and maximum of each (band, channel) over time, flattened: what was heard, wherever it was said."""

    def call(self, x):
        return ops.concatenate([ops.reshape(ops.mean(x, axis=2), (-1, x.shape[1] * x.shape[3])),
                                ops.reshape(ops.max(x, axis=2), (-1, x.shape[1] * x.shape[3]))], axis=1)


def adapt_batch_norm(model: keras.Model, X: np.ndarray, batch_size: int = 256) -> keras.Model:
    """A copy of ``model`` whose batch-norm layers normalise with the statistics of stamps ``X`` (AdaBN).

    A new voice shifts every layer's activations away from the training averages; re-estimating the means and
    variances on the new speaker's words (no labels needed) moves the network to that voice (Li et al., 2016)."""
    adapted = keras.models.clone_model(model)
    adapted.set_weights(model.get_weights())
    for layer in adapted.layers:  # in order: each layer's input already comes through the adapted layers before it
        if isinstance(layer, layers.BatchNormalization):
            probe = keras.Model(adapted.input, layer.input)
            moments = layers.Normalization(axis=-1)  # adapt() streams the batches: memory holds one batch's activations
            moments.adapt(probe(X[i:i + batch_size, ..., None], training=False) for i in range(0, len(X), batch_size))
            layer.moving_mean.assign(moments.adapt_mean)
            layer.moving_variance.assign(moments.adapt_variance)
    return adapted


def conv_features(model: keras.Model) -> keras.Model:
    """The improved network's last convolution block, pooled over time and L2-normalised."""
    x = PoolOverTime()(model.get_layer("last_conv").output)
    return keras.Model(model.inputs, layers.UnitNormalization()(x))


def embedding(model: keras.Model) -> keras.Model:
    """The same network cut at its ``embedding`` layer: what it has learned, before the classifier."""
    return keras.Model(model.inputs, model.get_layer("embedding").output)


def feature_maps(model: keras.Model, stamp: np.ndarray, layer: int) -> np.ndarray:
    """What layer number ``layer`` outputs for one stamp (height x width x channels)."""
    probe = keras.Model(model.inputs, model.layers[layer].output)
    return probe.predict(stamp[None, ..., None], verbose=0)[0]
