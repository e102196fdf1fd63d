"""Figures of the course: digit grids, reconstructions, latent spaces and training curves.

Every function returns a Matplotlib ``Figure`` that is not registered with pyplot, so a notebook
shows it exactly once and a script can ``savefig`` it. Notebooks show them as SVG (:func:`svg`,
wired by :func:`course_utils.environment.setup`), with their text kept as text.

Figures are laid out for a phone: at most :data:`MAX_WIDTH` inches wide (several panels go into
rows rather than one long strip), and all their text at least :data:`FONT_SIZE` points, so that
on a 390 px screen, where the figure shrinks to the book's text column, the smallest text is
still :data:`MIN_TEXT_PX` CSS pixels or more (:func:`smallest_text_px`).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping, Sequence

import matplotlib
import numpy as np
from matplotlib import patheffects, ticker
from matplotlib.figure import Figure

IMAGE_SIDE = 28
# Ten colours told apart with each common colour-vision deficiency: Petroff's 10-colour sequence
# (M. A. Petroff, "Accessible Color Sequences for Data Visualization", arXiv:2107.02270, 2021;
# Matplotlib 3.10+ ships it as ``color_sequences["petroff10"]``, written out here for older ones).
# Colour is never the only cue: each digit is also written at the centre of its codes.
DIGIT_COLOURS = (
    "#3f90da",
    "#ffa90e",
    "#bd1f01",
    "#94a4a2",
    "#832db6",
    "#a96b59",
    "#e76300",
    "#b9ac70",
    "#717581",
    "#92dadd",
)
DIGIT_LABEL_SIZE = 13  # points: the digit written at its cluster's centre
# A figure in the book is 340 CSS px wide at most on a 390 px phone (752 px on a 1280 px screen).
# An SVG figure W inches wide is 96 W px wide, shrunk to that: text of P points shows at
# P * 340 / (72 W) px. At most 5.4 inches (5.5 once cropped to what is drawn) and 11 points:
# 9.4 px on a phone, 14.7 px on a desktop.
PHONE_COLUMN_PX = 340
MIN_TEXT_PX = 9.0
MAX_WIDTH = 5.4
FONT_SIZE = 11.0
STYLE = {
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE,
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "legend.fontsize": FONT_SIZE,
    "legend.title_fontsize": FONT_SIZE,
    "figure.titlesize": FONT_SIZE + 1,
}
# SVG with its text as <text> elements (readable, searchable, measurable by the book's tests), the
# same bytes on every run (fixed ids, no date).
SVG_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "course-figure"}
SVG_DPI = 150  # for the parts drawn as pixels inside the SVG (the many points of a scatter plot)


def smallest_text_px(figure_width: float, points: float = FONT_SIZE, column_px: float = PHONE_COLUMN_PX) -> float:
    """CSS pixels of ``points``-point text in a figure ``figure_width`` inches wide, shown in a column.

    A figure narrower than the column is shown at its own size (96 px per inch).
    """
    scale = min(1.0, column_px / (96 * figure_width))
    return points * 96 / 72 * scale


def svg(figure: Figure) -> str:
    """The figure as SVG text, its text kept as text, cropped to what is drawn (as notebooks show figures)."""
    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_STYLE):
        figure.savefig(buffer, format="svg", bbox_inches="tight", dpi=SVG_DPI, metadata={"Date": None})
    return buffer.getvalue()


def styled(function: Callable[..., Figure]) -> Callable[..., Figure]:
    """Draw in the course's :data:`STYLE`; tick labels, drawn later, get :data:`FONT_SIZE` too."""

    @functools.wraps(function)
    def drawn(*args, **kwargs) -> Figure:
        with matplotlib.rc_context(STYLE):
            figure = function(*args, **kwargs)
        for axes in getattr(figure, "axes", ()):  # None: nothing to draw (an empty study)
            axes.tick_params(labelsize=FONT_SIZE)
        return figure

    return drawn


def _image(pixels: np.ndarray) -> np.ndarray:
    return np.asarray(pixels).reshape(IMAGE_SIDE, IMAGE_SIDE)


def _hide_ticks(axes) -> None:
    axes.set_xticks([])
    axes.set_yticks([])


@styled
def show_digits(
    images: np.ndarray, labels: Sequence[int] | None = None, columns: int = 10, title: str = "MNIST digits"
) -> Figure:
    """Show flattened images in a grid, each titled with its label when labels are given."""
    count = len(images)
    rows = max(1, -(-count // columns))
    side = min(0.9, MAX_WIDTH / columns)
    figure = Figure(figsize=(columns * side, rows * (side + 0.3) + 0.5), layout="constrained")
    grid = figure.subplots(rows, columns, squeeze=False)
    for position, axes in enumerate(grid.flat):
        _hide_ticks(axes)
        axes.axis("off")
        if position < count:
            axes.imshow(_image(images[position]), cmap="gray_r", vmin=0, vmax=1)
            if labels is not None:
                axes.set_title(str(labels[position]), fontsize=FONT_SIZE)
    figure.suptitle(title)
    return figure


@styled
def show_reconstructions(
    originals: np.ndarray, reconstructions: np.ndarray, title: str = "Originals and reconstructions"
) -> Figure:
    """Show originals on the top row and their reconstructions below them."""
    return plot_comparison(originals, {"reconstruction": reconstructions}, title=title)


@styled
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
    side = min(0.85, (MAX_WIDTH - 1.3) / columns)
    figure = Figure(figsize=(columns * side + 1.3, len(rows) * (side + 0.1) + 0.5), layout="constrained")
    grid = figure.subplots(len(rows), columns, squeeze=False)
    for row, (name, images) in enumerate(rows.items()):
        for column in range(columns):
            axes = grid[row, column]
            axes.imshow(_image(images[column]), cmap="gray_r", vmin=0, vmax=1)
            _hide_ticks(axes)
        grid[row, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=FONT_SIZE)
    figure.suptitle(title)
    return figure


@styled
def plot_latent_space(codes: np.ndarray, labels: np.ndarray, title: str = "Test digits in the 2-D latent space") -> Figure:
    """Scatter 2-D codes coloured by digit, each digit written at its centre, with a legend of the ten digits."""
    codes = np.asarray(codes)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"plot_latent_space needs 2-D codes of shape (n, 2), got {codes.shape}.")
    figure = Figure(figsize=(MAX_WIDTH, 4.6), layout="constrained")
    axes = figure.subplots()
    _scatter_digits(axes, codes, labels, size=6, alpha=0.7)
    axes.legend(title="digit", markerscale=2.5, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    axes.set_xlabel("latent dimension 1")
    axes.set_ylabel("latent dimension 2")
    axes.set_title(title)
    return figure


@styled
def plot_latent_spaces(
    codes_by_model: Mapping[str, np.ndarray],
    labels: np.ndarray,
    title: str = "Latent spaces side by side",
    columns: int = 2,
    class_names: Sequence[str] | None = None,
) -> Figure:
    """One latent scatter per model, ``columns`` to a row, sharing the digit legend.

    As in :func:`plot_latent_space`, each digit is also written at the centre of its codes.
    With ``class_names`` (such as Fashion-MNIST's), the legend pairs each label with its name.

    The legend fills the free place of the last row when there is one (three models in two
    rows of two), else it stands to the right of the last panel.
    """
    count = len(codes_by_model)
    room_for_legend = 0.0 if count % min(columns, count) else 1.0
    figure, panels, spare = _panel_grid(count, columns, (4.2, 3.9), extra_width=room_for_legend)
    for axes, (name, codes) in zip(panels, codes_by_model.items()):
        _scatter_digits(axes, np.asarray(codes), labels, size=4, alpha=0.6, class_names=class_names)
        axes.set_title(name)
        axes.set_xlabel("latent dimension 1")
        axes.set_ylabel("latent dimension 2")
    legend = {"title": "digit" if class_names is None else "class", "markerscale": 3, "frameon": False}
    if spare:
        spare[0].legend(*panels[-1].get_legend_handles_labels(), loc="center", **legend)
    else:
        panels[-1].legend(loc="center left", bbox_to_anchor=(1.0, 0.5), **legend)
    figure.suptitle(title)
    return figure


def latent_grid(codes: np.ndarray, steps: int = 10, coverage: float = 0.98) -> np.ndarray:
    """An even ``steps`` x ``steps`` grid of 2-D codes over the middle ``coverage`` of ``codes``.

    The grid spans, in each latent dimension, the range between the (1 - coverage) / 2 and the
    (1 + coverage) / 2 quantiles, so a few far-out codes do not stretch it. Rows run from the
    highest value of dimension 2 down, columns from the lowest value of dimension 1 up: the grid
    reads like the latent scatter plot.

    Returns:
        The ``steps * steps`` codes, shape ``(steps * steps, 2)``, row by row.
    """
    codes = np.asarray(codes, dtype="float64")
    if codes.ndim != 2 or codes.shape[1] != 2 or len(codes) < 2:
        raise ValueError(f"codes must be 2-D codes of shape (n, 2), n >= 2, not of shape {codes.shape}.")
    if steps < 2:
        raise ValueError(f"steps must be at least 2, not {steps}.")
    low, high = np.quantile(codes, [(1 - coverage) / 2, (1 + coverage) / 2], axis=0)
    across = np.linspace(low[0], high[0], steps)
    down = np.linspace(high[1], low[1], steps)
    return np.array([(x, y) for y in down for x in across])


def decoder_grid(decode, codes: np.ndarray, steps: int = 10) -> np.ndarray:
    """The digits a decoder makes of an even grid over ``codes``, as one picture.

    Args:
        decode: Codes ``(n, 2)`` to images ``(n, 784)``, e.g. ``Representation.decode``.
        codes: The codes whose range the grid covers (:func:`latent_grid`), e.g. the test codes.
        steps: Digits per row and per column.

    Returns:
        A ``(28 * steps, 28 * steps)`` image with pixels clipped to [0, 1] (PCA's inverse can
        leave that range).
    """
    images = np.clip(np.asarray(decode(latent_grid(codes, steps))), 0.0, 1.0)
    tiles = images.reshape(steps, steps, IMAGE_SIDE, IMAGE_SIDE)
    return tiles.transpose(0, 2, 1, 3).reshape(steps * IMAGE_SIDE, steps * IMAGE_SIDE)


@styled
def plot_decoder_grids(
    decoders: Mapping[str, tuple], steps: int = 10, title: str = "What each code decodes to", columns: int = 2
) -> Figure:
    """For each model, the digits its decoder makes of an even grid over its test codes.

    Args:
        decoders: Model name to ``(decode, codes)``: its decoding function and the codes whose
            range the grid covers.
        steps: Digits per row and per column of each grid.
        title: Figure title.
        columns: Grids per row.
    """
    figure, panels, _ = _panel_grid(len(decoders), columns, (4.2, 4.3))
    for axes, (name, (decode, codes)) in zip(panels, decoders.items()):
        grid = latent_grid(codes, steps)
        low, high = grid.min(axis=0), grid.max(axis=0)
        half = (high - low) / (steps - 1) / 2  # each digit is centred on its code
        extent = (low[0] - half[0], high[0] + half[0], low[1] - half[1], high[1] + half[1])
        picture = decoder_grid(decode, codes, steps)
        axes.imshow(picture, cmap="gray_r", vmin=0, vmax=1, extent=extent, aspect="auto")
        axes.set_title(name)
        axes.set_xlabel("latent dimension 1")
        axes.set_ylabel("latent dimension 2")
    figure.suptitle(title)
    return figure


def _panel_grid(
    count: int, columns: int, panel: tuple[float, float], extra_width: float = 0.0, **shared
) -> tuple[Figure, list, list]:
    """A figure of ``count`` panels, ``columns`` (or fewer) to a row.

    Args:
        count: How many panels.
        columns: Panels per row at most.
        panel: Width and height of one panel in inches; narrower (keeping its shape) if the
            figure would be wider than :data:`MAX_WIDTH`.
        extra_width: Inches added on the right, e.g. for a legend beside the panels.
        **shared: ``sharex``/``sharey`` for ``Figure.subplots``.

    Returns:
        The figure, its panels, and the free places of the last row (axes switched off).
    """
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    width, height = panel
    if width * columns + extra_width > MAX_WIDTH:  # narrower panels, of the same shape
        width, height = (MAX_WIDTH - extra_width) / columns, height * (MAX_WIDTH - extra_width) / columns / width
    figure = Figure(figsize=(width * columns + extra_width, height * rows + 0.6), layout="constrained")
    grid = list(figure.subplots(rows, columns, squeeze=False, **shared).flat)
    for axes in grid[count:]:
        axes.axis("off")
    return figure, grid[:count], grid[count:]


def digit_medians(codes: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """The median code of each digit that occurs in ``labels``: the centre of its cluster.

    The median rather than the mean, so that a few far-out codes do not pull the centre away.
    """
    codes, labels = np.asarray(codes), np.asarray(labels)
    return {int(digit): np.median(codes[labels == digit], axis=0) for digit in np.unique(labels)}


def _scatter_digits(
    axes, codes: np.ndarray, labels: np.ndarray, size: float, alpha: float, class_names: Sequence[str] | None = None
) -> None:
    """Codes coloured by digit, then each digit written at its median: readable without colour."""
    labels = np.asarray(labels)
    for digit, colour in enumerate(DIGIT_COLOURS):
        chosen = labels == digit
        name = str(digit) if class_names is None else f"{digit} {class_names[digit]}"
        axes.scatter(codes[chosen, 0], codes[chosen, 1], s=size, alpha=alpha, color=colour, label=name, rasterized=True)
    label_digit_centres(axes, codes, labels)


def label_digit_centres(axes, codes: np.ndarray, labels: np.ndarray) -> None:
    """Write each digit in bold at the median of its codes, outlined in white to stand out on any colour."""
    outline = [patheffects.withStroke(linewidth=3.5, foreground="white")]
    for digit, (x, y) in digit_medians(codes, labels).items():
        axes.text(
            x,
            y,
            str(digit),
            fontsize=DIGIT_LABEL_SIZE,
            fontweight="bold",
            color="black",
            ha="center",
            va="center",
            path_effects=outline,
            zorder=3,
        )


CURVE_LABELS = {"loss": "training", "val_loss": "validation", "test_loss": "test (watched, never used to choose)"}


@styled
def plot_history(history, title: str = "Loss per epoch") -> Figure:
    """Loss per epoch from a Keras ``History`` (or its ``history`` dictionary), each curve named by its images."""
    curves = getattr(history, "history", history)
    figure = Figure(figsize=(MAX_WIDTH, 3.8), layout="constrained")
    axes = figure.subplots()
    for key, label in CURVE_LABELS.items():
        if key in curves:
            axes.plot(range(1, len(curves[key]) + 1), curves[key], label=label)
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss (binary cross-entropy)")
    axes.set_title(title)
    axes.legend()
    return figure


@styled
def plot_histories(
    histories: Mapping[str, object], title: str = "Training and validation loss per model", columns: int = 2
) -> Figure:
    """One panel per run with its training and validation loss, ``columns`` to a row, on a shared loss axis."""
    figure, panels, _ = _panel_grid(len(histories), columns, (3.3, 3.3), sharey=True)
    for axes, (name, history) in zip(panels, histories.items()):
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
    for axes in panels[:: min(columns, len(panels))]:
        axes.set_ylabel("loss (binary cross-entropy)")
    figure.suptitle(title)
    return figure


@styled
def plot_measures_by_depth(
    summary: Sequence[Mapping],
    measures: Sequence[str],
    baseline: str | None = None,
    lower_is_better: Sequence[str] = (),
    title: str = "Latent quality against depth (mean ± sd over seeds)",
    columns: int = 2,
) -> Figure:
    """Each measure against depth, mean ± sd over seeds, one panel per measure, ``columns`` to a row.

    Args:
        summary: One row per model with its ``depth`` and each measure's ``<measure>_mean`` and
            ``<measure>_sd`` (:meth:`course_utils.study.StudyResult.summary`).
        measures: The measures to draw, e.g. ``study.METRIC_NAMES``.
        baseline: The model drawn as a dashed level line with its name (PCA) instead of a point.
        lower_is_better: Measures whose panel title says that lower is better.
        title: Figure title.
        columns: Panels per row; the legend takes the free place of the last row, if any.
    """
    figure, panels, spare = _panel_grid(len(measures), columns, (3.3, 2.9))
    models = [row for row in summary if row["model"] != baseline]
    level = next((row for row in summary if row["model"] == baseline), None)
    depths = [row["depth"] for row in models]
    for axes, measure in zip(panels, measures):
        means = [row[f"{measure}_mean"] for row in models]
        spreads = [row[f"{measure}_sd"] for row in models]
        axes.errorbar(depths, means, yerr=spreads, marker="o", capsize=4, label="autoencoder")
        if level is not None:
            axes.axhline(level[f"{measure}_mean"], color="grey", linestyle="--", label=baseline)
        axes.set_xticks(depths)
        axes.set_xlabel("hidden layers in the encoder")
    return finish_measure_panels(figure, panels, spare, measures, lower_is_better, title)


def finish_measure_panels(
    figure: Figure, panels: Sequence, spare: Sequence, measures: Sequence[str], lower_is_better: Sequence[str], title: str
) -> Figure:
    """Title each panel by its measure, put the legend in the free place (or the first panel), title the figure."""
    for axes, measure in zip(panels, measures):
        axes.set_title(measure + (" (lower is better)" if measure in lower_is_better else ""))
    if spare:
        spare[0].legend(*panels[0].get_legend_handles_labels(), loc="center", frameon=False)
    else:
        panels[0].legend()
    figure.suptitle(title)
    return figure


PARAMETER_TICKS = (2_000, 5_000, 10_000, 20_000, 50_000, 100_000)  # where plot_measures_by_size labels its axis


@styled
def plot_measures_by_size(
    summary: Sequence[Mapping],
    measures: Sequence[str],
    baseline: str | None = None,
    lower_is_better: Sequence[str] = (),
    title: str = "Each measure against parameters (mean ± sd over seeds)",
    columns: int = 2,
) -> Figure:
    """Each measure against the number of parameters (log scale), one line per depth, mean ± sd over seeds.

    Args:
        summary: One row per model with its ``depth``, ``parameters`` and each measure's
            ``<measure>_mean`` and ``<measure>_sd`` (:meth:`course_utils.study.StudyResult.summary`).
        measures: The measures to draw, e.g. ``study.METRIC_NAMES``.
        baseline: The model drawn as a dashed level line with its name (PCA) instead of a point.
        lower_is_better: Measures whose panel title says that lower is better.
        title: Figure title.
        columns: Panels per row; the legend takes the free place of the last row, if any.
    """
    figure, panels, spare = _panel_grid(len(measures), columns, (3.3, 2.9))
    level = next((row for row in summary if row["model"] == baseline), None)
    by_depth: dict[int, list[Mapping]] = {}
    for row in sorted((row for row in summary if row["model"] != baseline), key=lambda row: row["parameters"]):
        by_depth.setdefault(row["depth"], []).append(row)
    for axes, measure in zip(panels, measures):
        for depth, rows in sorted(by_depth.items()):
            axes.errorbar(
                [row["parameters"] for row in rows],
                [row[f"{measure}_mean"] for row in rows],
                yerr=[row[f"{measure}_sd"] for row in rows],
                marker="os^"[(depth - 1) % 3],
                capsize=4,
                label=f"{depth} hidden layer{'s' if depth > 1 else ''}",
            )
        if level is not None:
            axes.axhline(level[f"{measure}_mean"], color="grey", linestyle="--", label=baseline)
        axes.set_xscale("log")
        # round thousands as plain text: a log axis's 10⁴ writes its exponent too small for a phone
        axes.xaxis.set_major_locator(ticker.FixedLocator(PARAMETER_TICKS))
        axes.xaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value / 1000:g}k"))
        axes.xaxis.set_minor_formatter(ticker.NullFormatter())
        axes.set_xlabel("parameters (log scale)")
    return finish_measure_panels(figure, panels, spare, measures, lower_is_better, title)
