"""The architecture builder: type layer sizes, see the layer table, the parameter count and the article match.

``architecture_builder.ArchitectureBuilder(hidden_units=[10])`` in a notebook. The controls for
the number of hidden layers and their sizes (:class:`ArchitectureControls`) are shared with the
depth explorer.
"""

from __future__ import annotations

import html
import numbers
import re
from collections.abc import Callable, Sequence

import ipywidgets
import numpy as np
import pandas as pd

from course_utils import models
from course_utils.exercises.feedback import WRONG_COLOUR, fix_html, message_html, shown
from course_utils.exercises.widgets import CourseWidget, controls_list_html, field_options, field_row, html_table

MAX_DEPTH = models.MAX_HIDDEN_LAYERS + 1  # hidden layers as the article counts them: the code included
MAX_UNITS = 1024
MAX_SIZES_TEXT = 200  # characters; eleven sizes of four digits fit easily


def parse_sizes(text: str) -> tuple[tuple[int, ...] | None, str | None]:
    """Read layer sizes such as ``"32, 10"`` as ``((32, 10), None)``, or ``(None, what is wrong)``.

    Also accepts a whole article-style architecture such as ``"784-32-10-2-10-32-784"``.
    """
    cleaned = str(text).strip().strip("[]()").strip()
    if not cleaned:
        return (), None
    if len(cleaned) > MAX_SIZES_TEXT:
        return None, f"{shown(text)} is too long for a list of layer sizes: type a few sizes such as 32, 10."
    compact = cleaned.replace(" ", "")
    if re.fullmatch(r"\d+(-\d+)+", compact):
        return _sizes_from_architecture(compact)
    tokens = re.split(r"\s*[,;]\s*|\s+", cleaned)
    if "" in tokens:
        return None, f"{shown(text)} has a comma with no size on one side: type one comma between two sizes, e.g. 32, 10."
    values = [_token_value(token) for token in tokens]
    if len(values) >= MAX_DEPTH:
        return None, (
            f"{len(values)} sizes make {len(values) + 1} hidden layers with the code; this course goes up to {MAX_DEPTH}."
        )
    try:
        hidden = models.validate_architecture(values)
    except ValueError as error:
        return None, str(error)
    too_big = [units for units in hidden if units > MAX_UNITS]
    if too_big:
        units = f"{too_big[0]:,}" if too_big[0] < 10**9 else "more than a billion"
        return None, f"A layer of {units} units is far wider than this course needs; use at most {MAX_UNITS:,}."
    return hidden, None


def _token_value(token: str) -> object:
    """A typed size as an int, a float or the text itself, for :func:`models.validate_architecture` to judge.

    A whole number in another spelling (``1e3``, ``10.0``) stays text, so the message repeats what was typed.
    """
    if re.fullmatch(r"[+-]?\d+", token):
        return int(token)
    try:
        value = float(token)
    except ValueError:
        return token
    return token if value.is_integer() else value


def _sizes_from_architecture(compact: str) -> tuple[tuple[int, ...] | None, str | None]:
    """The sizes before the code in a mirrored ``784-...-2-...-784`` string."""
    sizes = [int(part) for part in compact.split("-")]
    middle = len(sizes) // 2
    mirrored = len(sizes) % 2 == 1 and sizes == sizes[::-1]
    if not mirrored or sizes[0] != models.INPUT_DIM or sizes[middle] != models.LATENT_DIM:
        return None, (
            f"{compact} is not a mirrored 784-…-2-…-784 architecture; type only the sizes before the 2-unit code, "
            "for example 32, 10."
        )
    return parse_sizes(", ".join(str(size) for size in sizes[1:middle]))


def _thousands(value: object) -> str:
    """A whole number with thousands separators; anything else (the total row's blanks) as it is."""
    return f"{value:,}" if isinstance(value, numbers.Integral) else str(value)


def layer_table_html(hidden_units: Sequence[int]) -> str:
    """An HTML table of the layers of a mirrored autoencoder and its total parameter count (in bold)."""
    counts = ("units", "parameters")
    styler = html_table(models.planned_layer_table(hidden_units), "layers", counts, dict.fromkeys(counts, _thousands))
    total_in_bold = [{"selector": "tbody tr:last-child", "props": "font-weight:bold"}]
    return styler.set_table_styles(total_in_bold, overwrite=False).to_html()


def article_models_html() -> str:
    """An HTML table of the article's three models: name, architecture and parameters."""
    table = pd.DataFrame(
        {
            "article model": list(models.ARTICLE_HIDDEN_UNITS),
            "architecture": [models.architecture_string(units) for units in models.ARTICLE_HIDDEN_UNITS.values()],
            "parameters": list(models.ARTICLE_PARAMETER_COUNTS.values()),
        }
    )
    formats = {"architecture": "<code>{}</code>", "parameters": "{:,}"}
    return html_table(table, "article-models", right=("parameters",), formats=formats).to_html()


def article_match(hidden_units: Sequence[int]) -> str | None:
    """The name of the article model with these hidden sizes, or None."""
    for name, units in models.ARTICLE_HIDDEN_UNITS.items():
        if tuple(units) == tuple(hidden_units):
            return name
    return None


def match_message(hidden_units: Sequence[int]) -> str:
    """Which article model an architecture is, or which one is closest in size."""
    name = article_match(hidden_units)
    count = models.expected_parameter_count(hidden_units)
    if name is not None:
        return f"This is the article's {name}."
    counts = models.ARTICLE_PARAMETER_COUNTS
    closest = min(counts, key=lambda name: abs(counts[name] - count))
    other = counts[closest]
    relation = "bigger than" if count > other else "smaller than" if count < other else "as big as"
    return (
        f"Not one of the article's models. Closest in size: {closest} "
        f"({models.architecture_string(models.ARTICLE_HIDDEN_UNITS[closest])}, {other:,} parameters); "
        f"yours is {relation} it."
    )


def _resized(hidden: Sequence[int], count: int) -> tuple[int, ...]:
    """``hidden`` with layers removed or added on the pixel side until it has ``count`` sizes."""
    sizes = list(hidden)
    while len(sizes) > count:
        sizes.pop(0)
    while len(sizes) < count:
        sizes.insert(0, min(MAX_UNITS, 2 * sizes[0]) if sizes else 10)
    return tuple(sizes)


def sizes_text(hidden_units: object) -> str:
    """Sizes as a student types them, e.g. ``"32, 10"``; text stays as it is.

    Raises:
        ValueError: For anything but text, a flat list or tuple of sizes, or a 1-d array.
    """
    if isinstance(hidden_units, str):
        return hidden_units
    if isinstance(hidden_units, np.ndarray) and hidden_units.ndim == 1:
        hidden_units = hidden_units.tolist()
    if not isinstance(hidden_units, (list, tuple, range)) or any(isinstance(units, (list, tuple)) for units in hidden_units):
        raise ValueError(f"hidden_units must be a list of layer sizes such as [32, 10], not {shown(hidden_units)}.")
    return ", ".join(str(units) for units in hidden_units)


class ArchitectureControls:
    """The number of hidden layers and their sizes, kept in step, with a message for impossible input.

    ``layers`` counts hidden layers as the article does (the 2-unit code included), so
    ``Autoencoder_3`` has 3; ``sizes`` lists the layers before the code. Changing ``layers`` adds or
    removes layers on the pixel side; typing sizes sets ``layers``.

    Args:
        hidden_units: The starting sizes before the code.
        on_change: Called after every change.
    """

    def __init__(self, hidden_units: Sequence[int] | str, on_change: Callable[[], None]) -> None:
        hidden, problem = parse_sizes(sizes_text(hidden_units))
        if problem is not None or hidden is None:
            raise ValueError(problem)
        self.hidden_units: tuple[int, ...] | None = hidden
        self.problem: str | None = None
        self._on_change = on_change
        self._syncing = False
        self.layers = ipywidgets.IntText(value=len(hidden) + 1, **field_options("hidden layers (with the code):"))
        self.sizes = ipywidgets.Text(
            value=sizes_text(hidden), placeholder="e.g. 32, 10", **field_options("sizes before the code:")
        )
        self.layers.observe(self._layers_changed, names="value")
        self.sizes.observe(self._sizes_changed, names="value")

    def impossible_html(self) -> str:
        """The problem with the current input as a message with the fix mark."""
        return fix_html(self.problem or "Impossible input.")

    def _layers_changed(self, change: dict) -> None:
        if self._syncing:
            return
        depth = change["new"]
        if not 1 <= depth <= MAX_DEPTH:
            count = str(depth) if abs(depth) < 10**9 else "That many"
            self._set(None, f"{count} hidden layers is impossible here: choose 1 (the code alone) to {MAX_DEPTH}.")
            return
        hidden, problem = parse_sizes(self.sizes.value)
        if problem is not None or hidden is None:
            self._set(None, f"Fix the sizes first: {problem}")
            return
        hidden = _resized(hidden, depth - 1)
        self._sync(self.sizes, sizes_text(hidden))
        self._set(hidden, None)

    def _sizes_changed(self, change: dict) -> None:
        if self._syncing:
            return
        hidden, problem = parse_sizes(change["new"])
        if problem is not None or hidden is None:
            self._set(None, problem)
            return
        self._sync(self.layers, len(hidden) + 1)
        self._set(hidden, None)

    def _sync(self, control: ipywidgets.ValueWidget, value: object) -> None:
        self._syncing = True
        try:
            control.value = value
        finally:
            self._syncing = False

    def _set(self, hidden: tuple[int, ...] | None, problem: str | None) -> None:
        self.hidden_units, self.problem = hidden, problem
        self._on_change()

    def rows(self) -> list[tuple[str, str]]:
        """Each control's label and what it takes, for :func:`~course_utils.exercises.widgets.controls_list_html`."""
        return [
            (
                self.layers.description,
                f"a whole number from 1 (the code alone) to {MAX_DEPTH}; starts at {self.layers.value}",
            ),
            (self.sizes.description, f"sizes separated by commas; starts at <code>{html.escape(self.sizes.value)}</code>"),
        ]

    def set_hidden_units(self, hidden_units: Sequence[int] | str) -> None:
        """Show these sizes (as if typed); a problem with them shows up in :attr:`problem`.

        Raises:
            ValueError: When ``hidden_units`` is neither text nor a list of sizes.
        """
        self.sizes.value = sizes_text(hidden_units)


class ArchitectureBuilder(CourseWidget):
    """Set the number of hidden layers and their sizes; see the layer table, the parameter count and the article match.

    Args:
        hidden_units: The starting sizes before the 2-unit code; ``(32, 10)`` is ``Autoencoder_3``.
    """

    def __init__(self, hidden_units: Sequence[int] = (32, 10)) -> None:
        self.message = ipywidgets.HTML()
        self.summary = ipywidgets.HTML()
        self.table = ipywidgets.HTML()
        self.controls = ArchitectureControls(hidden_units, self._refresh)
        self.layers, self.sizes = self.controls.layers, self.controls.sizes
        self.box = ipywidgets.VBox([field_row(self.layers, self.sizes), self.message, self.summary, self.table])
        self._refresh()

    @property
    def hidden_units(self) -> tuple[int, ...] | None:
        """The current valid sizes before the code, or None while the input is impossible."""
        return self.controls.hidden_units

    @property
    def parameter_count(self) -> int | None:
        """Trainable parameters of the current architecture, or None while the input is impossible."""
        hidden = self.hidden_units
        return None if hidden is None else models.expected_parameter_count(hidden)

    @property
    def matched(self) -> str | None:
        """The article model the current architecture is, or None."""
        hidden = self.hidden_units
        return None if hidden is None else article_match(hidden)

    def _refresh(self) -> None:
        hidden = self.controls.hidden_units
        if self.controls.problem is not None or hidden is None:
            self.message.value = self.controls.impossible_html()
            return
        self.message.value = ""
        self.summary.value = self._summary_html(hidden)
        self.table.value = layer_table_html(hidden)

    @staticmethod
    def _summary_html(hidden: tuple[int, ...]) -> str:
        count = models.expected_parameter_count(hidden)
        return (
            f"<p><code>{models.architecture_string(hidden)}</code>: <strong>{count:,} parameters</strong>. "
            f"{html.escape(match_message(hidden), quote=False)}</p>"
        )

    def intro_html(self) -> str:
        return (
            "<p><strong>Architecture builder.</strong> Set the number of hidden layers (as the article counts "
            "them, the 2-unit code included) and the sizes of the layers before the code, e.g. <code>32, 10</code>. "
            "The decoder mirrors the encoder. The table and the parameter count follow every change.</p>"
            + article_models_html()
        )

    def controls_html(self) -> str:
        return controls_list_html(self.controls.rows())

    def snapshot_html(self) -> str:
        hidden = self.hidden_units
        if hidden is None:
            return message_html(self.controls.problem or "Impossible input.", WRONG_COLOUR)
        return self._summary_html(hidden) + layer_table_html(hidden)
