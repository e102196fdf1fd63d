"""The hardware bound on training time: the matrix-product work of a dense autoencoder at the machine's peak rate.

:func:`training_flops_per_image` counts the floating-point operations that training on one image
cannot avoid; :func:`measure_peak_gflops` measures how fast this machine multiplies large float32
matrices; :func:`bound_seconds` divides the one by the other, and :func:`fraction_of_bound` says how
close a measured training time comes to that bound. This module imports NumPy only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np

# The layer widths of the article's three autoencoders (course_utils.models.layer_sizes, which imports Keras).
ARTICLE_LAYERS: dict[str, tuple[int, ...]] = {
    "Autoencoder_1": (784, 2, 784),
    "Autoencoder_2": (784, 10, 2, 10, 784),
    "Autoencoder_3": (784, 32, 10, 2, 10, 32, 784),
}


def training_flops_per_image(layer_sizes: Sequence[int]) -> int:
    """Floating-point operations of the matrix products needed to train on one image.

    For each Dense layer ``in -> out`` the forward pass costs ``2 * in * out`` (a multiply and an
    add per weight), and the backward pass twice that: the gradient of the weights and the gradient
    of the layer's inputs, ``2 * in * out`` each; so ``6 * in * out`` per layer. The first layer's
    input gradient (the gradient with respect to the image) is never needed, so ``2 * in * out`` of
    the first layer is subtracted: counting it would over-estimate the necessary work by 20.0 %,
    19.9 % and 19.7 % for the three article models.

    Only the matrix products are counted, so the count is a lower bound on the work. What is left
    out is not negligible for these small models (per image, counting an ``exp`` or a ``log`` as
    one operation): adding the biases and their gradients, and the ReLUs forward and backward, is
    10 %, 2.1 % and 0.7 % of the count for ``Autoencoder_1``, ``_2`` and ``_3``; with the output's
    sigmoid, the binary cross-entropy and its gradient (about 14 operations per pixel) it is 80 %,
    16 % and 5 %; Adam's update (about 11 operations per parameter per batch of 32) adds another
    9 %, 7 % and 7 %. That element-wise work runs far below the matrix-product peak, so adding it
    at the peak rate would not make a sharper bound.

    Args:
        layer_sizes: The widths of the layers, input first, e.g. ``(784, 2, 784)``.

    Returns:
        The operations per image, e.g. 15,680 for ``(784, 2, 784)``.

    Raises:
        ValueError: If there are fewer than two widths or a width is not positive.
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"need at least two positive layer widths, not {sizes}.")
    products = [fan_in * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
    return 6 * sum(products) - 2 * products[0]


def _best_product_seconds(size: int, repeats: int) -> float:
    """The fastest of ``repeats`` products of two ``size`` x ``size`` float32 matrices, after one warm-up."""
    rng = np.random.default_rng(0)
    left, right = (rng.random((size, size), dtype=np.float32) for _ in range(2))
    product = np.empty((size, size), dtype=np.float32)
    np.matmul(left, right, out=product)  # warm-up: threads started, pages touched
    best = math.inf
    for _ in range(repeats):
        started = time.perf_counter()
        np.matmul(left, right, out=product)
        best = min(best, time.perf_counter() - started)
    return best


def measure_peak_gflops(size: int = 2048, repeats: int = 5) -> float:
    """The machine's practical peak: the best float32 matrix-product rate NumPy reaches, in GFLOP/s.

    Multiplies two ``size`` x ``size`` float32 matrices ``repeats`` times after one warm-up, with
    NumPy's BLAS on all the cores it uses, and counts ``2 * size**3`` operations per product. This
    is the practical peak for large matrices; the small matrices of training at batch 32 (32 x 784
    times 784 x 2, say) cannot reach it, so the bound it gives is not reachable either.

    Args:
        size: The side of the square matrices.
        repeats: How many timed products; the fastest counts.

    Returns:
        Billions of floating-point operations per second.

    Raises:
        ValueError: If ``size`` or ``repeats`` is less than 1.
    """
    if size < 1 or repeats < 1:
        raise ValueError(f"size and repeats must be at least 1, not {size} and {repeats}.")
    return 2 * size**3 / _best_product_seconds(size, repeats) / 1e9


def bound_seconds(flops_per_image: int, images: int, epochs: int, peak_gflops: float) -> float:
    """The least time training can take: all its operations at the peak rate.

    Args:
        flops_per_image: Operations per image and epoch (:func:`training_flops_per_image`).
        images: Images per epoch.
        epochs: Epochs.
        peak_gflops: The machine's peak in GFLOP/s (:func:`measure_peak_gflops`).

    Returns:
        Seconds.

    Raises:
        ValueError: If ``peak_gflops`` is not positive.
    """
    if not peak_gflops > 0:
        raise ValueError(f"the peak must be positive, not {peak_gflops}.")
    return flops_per_image * images * epochs / (peak_gflops * 1e9)


def fraction_of_bound(measured_seconds: float, bound: float) -> float:
    """How close a measured time comes to the bound: ``bound / measured_seconds``; 1.0 is the hardware limit.

    Args:
        measured_seconds: The measured training time.
        bound: Its bound (:func:`bound_seconds`), in the same unit.

    Returns:
        The fraction of the peak the training reached, between 0 and 1 for a valid bound.

    Raises:
        ValueError: If ``measured_seconds`` is not positive.
    """
    if not measured_seconds > 0:
        raise ValueError(f"the measured time must be positive, not {measured_seconds}.")
    return bound / measured_seconds
