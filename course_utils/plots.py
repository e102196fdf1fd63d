"""Figures of the course: digit grids, reconstructions, latent spaces and training curves.

Every function returns a Matplotlib ``Figure`` that is not registered with pyplot, so a notebook
shows it exactly once and a script can ``savefig`` it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

IMAGE_SIDE = 28
DIGIT_COLOURS = "tab10"


def _image(pixels: np.ndarray) -> np.ndarray:
    return np.asarray(pixels).reshape(IMAGE_SIDE, IMAGE_SIDE)


def _hide_ticks(axes) -> None:
    axes.set_xticks([])
    axes.set_yticks([])


def show_digits(
    images: np.ndarray, labels: Sequence[int] | None = None, columns: int = 10, title: str = "MNIST digits"
) -> Figure:
    """Show flattened images in a grid, each titled with its label when labels are given."""
    count = len(images)
    rows = max(1, -(-count // columns))
    figure = Figure(figsize=(columns * 0.9, rows * 1.0 + 0.5), layout="constrained")
    grid = figure.subplots(rows, columns, squeeze=False)
    for position, axes in enumerate(grid.flat):
        _hide_ticks(axes)
        axes.axis("off")
        if position < count:
            axes.imshow(_image(images[position]), cmap="gray_r", vmin=0, vmax=1)
            if labels is not None:
                axes.set_title(str(labels[position]), fontsize=9)
    figure.suptitle(title)
    return figure


def show_reconstructions(
    originals: np.ndarray, reconstructions: np.ndarray, title: str = "Originals and reconstructions"
) -> Figure:
    """Show originals on the top row and their reconstructions below them."""
    return plot_comparison(originals, {"reconstruction": reconstructions}, title=title)


def plot_comparison(
    originals: np.ndarray,
    reconstructions: Mapping[str, np.ndarray],
    title: str = "Originals and each model's reconstructions",
) -> Figure:
    """The article's final picture: originals on top, then one row of reconstructions per model.

    Args:
        originals: The images, shape (n, 784).
        reconstructions: Model name to its reconstructions of the same images.
        title: Figure title.
    """
    rows = {"original": originals, **reconstructions}
    columns = len(originals)
    for name, images in rows.items():
        if len(images) != columns:
            raise ValueError(f"{name!r} has {len(images)} images but there are {columns} originals.")
    figure = Figure(figsize=(columns * 0.9 + 1.4, len(rows) * 1.0 + 0.5), layout="constrained")
    grid = figure.subplots(len(rows), columns, squeeze=False)
    for row, (name, images) in enumerate(rows.items()):
        for column in range(columns):
            axes = grid[row, column]
            axes.imshow(_image(images[column]), cmap="gray_r", vmin=0, vmax=1)
            _hide_ticks(axes)
        grid[row, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    figure.suptitle(title)
    return figure


def plot_latent_space(codes: np.ndarray, labels: np.ndarray, title: str = "Test digits in the 2-D latent space") -> Figure:
    """Scatter 2-D codes coloured by digit, with a legend of the ten digits."""
    codes = np.asarray(codes)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"plot_latent_space needs 2-D codes of shape (n, 2), got {codes.shape}.")
    figure = Figure(figsize=(6.4, 5.2), layout="constrained")
    axes = figure.subplots()
    colours = _digit_colours()
    for digit in range(10):
        chosen = labels == digit
        axes.scatter(codes[chosen, 0], codes[chosen, 1], s=6, alpha=0.7, color=colours[digit], label=str(digit))
    axes.legend(title="digit", markerscale=2.5, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    axes.set_xlabel("latent dimension 1")
    axes.set_ylabel("latent dimension 2")
    axes.set_title(title)
    return figure


def plot_latent_spaces(
    codes_by_model: Mapping[str, np.ndarray], labels: np.ndarray, title: str = "Latent spaces side by side"
) -> Figure:
    """One latent scatter per model, side by side, sharing the digit legend."""
    figure = Figure(figsize=(4.2 * len(codes_by_model) + 1.0, 4.2), layout="constrained")
    grid = figure.subplots(1, len(codes_by_model), squeeze=False)[0]
    colours = _digit_colours()
    for axes, (name, codes) in zip(grid, codes_by_model.items()):
        for digit in range(10):
            chosen = labels == digit
            axes.scatter(codes[chosen, 0], codes[chosen, 1], s=4, alpha=0.6, color=colours[digit], label=str(digit))
        axes.set_title(name)
        axes.set_xlabel("latent dimension 1")
        axes.set_ylabel("latent dimension 2")
    grid[-1].legend(title="digit", markerscale=3, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    figure.suptitle(title)
    return figure


def _digit_colours() -> list:
    from matplotlib import colormaps

    palette = colormaps[DIGIT_COLOURS]
    return [palette(digit) for digit in range(10)]


CURVE_LABELS = {"loss": "training", "val_loss": "validation", "test_loss": "test (watched, never used to choose)"}


def plot_history(history, title: str = "Loss per epoch") -> Figure:
    """Loss per epoch from a Keras ``History`` (or its ``history`` dictionary), each curve named by its images."""
    curves = getattr(history, "history", history)
    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    axes = figure.subplots()
    for key, label in CURVE_LABELS.items():
        if key in curves:
            axes.plot(range(1, len(curves[key]) + 1), curves[key], label=label)
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss (binary cross-entropy)")
    axes.set_title(title)
    axes.legend()
    return figure


def plot_histories(histories: Mapping[str, object], title: str = "Training and validation loss per model") -> Figure:
    """One panel per run with its training and validation loss, on a shared loss axis."""
    figure = Figure(figsize=(4.2 * len(histories), 3.6), layout="constrained")
    grid = figure.subplots(1, len(histories), squeeze=False, sharey=True)[0]
    for axes, (name, history) in zip(grid, histories.items()):
        curves = getattr(history, "history", history)
        for key, label in (("loss", "training"), ("val_loss", "validation")):
            if key in curves:
                axes.plot(range(1, len(curves[key]) + 1), curves[key], label=label)
        if "val_loss" in curves:
            best = int(np.argmin(curves["val_loss"]))
            axes.axvline(best + 1, color="grey", linestyle=":", label=f"best epoch ({best + 1})")
        axes.set_title(name)
        axes.set_xlabel("epoch")
        axes.legend()
    grid[0].set_ylabel("loss (binary cross-entropy)")
    figure.suptitle(title)
    return figure
