"""The throughput benchmark's baseline: a dense autoencoder trained with Adam in NumPy alone.

It does the same forward and backward matrix products and Adam updates as Keras, with no
framework around them, so what a framework adds on top is mostly per-batch overhead. This module
imports NumPy only: it takes the layer widths as a list. The article's widths come from
:func:`course_utils.models.layer_sizes` (see ``runner.time_numpy``), which imports Keras.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np


class NumpyAutoencoder:
    """A dense autoencoder in NumPy alone: ReLU hidden layers, a linear code, a sigmoid output.

    The loss is Keras' binary cross-entropy (mean over pixels and images), computed from the
    output layer's pre-activations, whose gradient is ``(sigmoid(z) - x) / (n_images * n_pixels)``.
    Weights start as in Keras (Glorot uniform, zero biases).
    """

    def __init__(self, sizes: Sequence[int], seed: int = 0, dtype=np.float32) -> None:
        self.sizes = list(sizes)
        if len(self.sizes) % 2 == 0 or len(self.sizes) < 3:
            raise ValueError(f"an autoencoder has an odd number of layer widths (>= 3), not {self.sizes}.")
        rng = np.random.default_rng(seed)
        self.params: list[np.ndarray] = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            limit = math.sqrt(6.0 / (fan_in + fan_out))
            self.params.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype))
            self.params.append(np.zeros(fan_out, dtype=dtype))
        code_layer = len(self.sizes) // 2 - 1  # the layer whose output is the code
        layers = len(self.sizes) - 1
        self.activations = ["linear" if i == code_layer else "sigmoid" if i == layers - 1 else "relu" for i in range(layers)]

    def count_params(self) -> int:
        return sum(param.size for param in self.params)

    def _forward(self, images: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        inputs, outputs = [], images
        for layer, activation in enumerate(self.activations):
            inputs.append(outputs)
            outputs = outputs @ self.params[2 * layer] + self.params[2 * layer + 1]
            if activation == "relu":
                np.maximum(outputs, 0, out=outputs)
        return inputs, outputs  # the last outputs are the sigmoid's pre-activations (logits)

    @staticmethod
    def _bce_and_sigmoid(images: np.ndarray, logits: np.ndarray) -> tuple[float, np.ndarray]:
        """Binary cross-entropy from logits, softplus(z) - x z (stable for any z), and sigmoid(z)."""
        small = np.exp(-np.abs(logits))  # one exponential serves both
        loss = np.mean(np.maximum(logits, 0) + np.log1p(small) - images * logits)
        sigmoid = np.where(logits >= 0, 1.0, small) / (1.0 + small)
        return float(loss), sigmoid

    def reconstruct(self, images: np.ndarray) -> np.ndarray:
        return self._bce_and_sigmoid(images, self._forward(images)[1])[1]

    def loss(self, images: np.ndarray) -> float:
        return self._bce_and_sigmoid(images, self._forward(images)[1])[0]

    def loss_and_gradients(self, images: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """The loss of a batch and its gradient with respect to every weight and bias."""
        inputs, logits = self._forward(images)
        loss, delta = self._bce_and_sigmoid(images, logits)
        delta -= images
        delta *= 1.0 / images.size
        gradients: list[np.ndarray] = [None] * len(self.params)  # type: ignore[list-item]
        for layer in reversed(range(len(self.activations))):
            gradients[2 * layer] = inputs[layer].T @ delta
            gradients[2 * layer + 1] = delta.sum(axis=0)
            if layer:
                delta = delta @ self.params[2 * layer].T
                if self.activations[layer - 1] == "relu":
                    delta *= inputs[layer] > 0  # inputs[layer] is the ReLU's output
        return loss, gradients


class Adam:
    """Keras' Adam, written minimally: in-place updates of the parameter arrays."""

    def __init__(self, params: list[np.ndarray], learning_rate: float = 1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.params, self.learning_rate = params, learning_rate
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.m = [np.zeros_like(param) for param in params]
        self.v = [np.zeros_like(param) for param in params]
        self.steps = 0

    def step(self, gradients: list[np.ndarray]) -> None:
        self.steps += 1
        rate = self.learning_rate * math.sqrt(1 - self.beta_2**self.steps) / (1 - self.beta_1**self.steps)
        for param, gradient, m, v in zip(self.params, gradients, self.m, self.v):
            m *= self.beta_1
            m += (1 - self.beta_1) * gradient
            v *= self.beta_2
            v += (1 - self.beta_2) * gradient * gradient
            param -= rate * m / (np.sqrt(v) + self.epsilon)


def train_numpy(
    model: NumpyAutoencoder,
    images: np.ndarray,
    epochs: int,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    seed: int = 0,
    on_epoch_end: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Shuffle, then one Adam step per batch; returns the mean training loss of every epoch."""
    rng = np.random.default_rng(seed)
    optimizer = Adam(model.params, learning_rate)
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(len(images))
        total = 0.0
        for start in range(0, len(images), batch_size):
            batch = images[order[start : start + batch_size]]
            loss, gradients = model.loss_and_gradients(batch)
            optimizer.step(gradients)
            total += loss * len(batch)
        losses.append(total / len(images))
        if on_epoch_end is not None:
            on_epoch_end(epoch, losses[-1])
    return losses
