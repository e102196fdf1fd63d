"""Exercise widgets: questions with a Check button, an architecture builder and a depth explorer.

A notebook shows a widget by making it the last expression of a cell, for example
``widgets.ArchitectureBuilder()``. Each widget then shows two outputs:

1. a static header in plain HTML (the question, or what to do), which any notebook viewer and the
   static book render as it is;
2. the live ipywidgets controls. Their output also carries an HTML rendering of the widget's state
   at display time, which viewers without widget support (GitHub, nbviewer) show instead of an
   empty box; the book renders the widget from the state that nbclient saved.

Every handler catches bad input and shows a message inside the widget: a student never sees a
traceback. Tests drive the widgets by setting ``.value`` on the controls and calling
``button.click()``.
"""

from __future__ import annotations

import contextlib
import html
import io
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import ipywidgets
import numpy as np
from matplotlib.figure import Figure

from course_utils import compare, exercises, metrics, models, plots, training
from course_utils.backend import keras
from course_utils.data import MnistData, split_validation

MAX_DEPTH = models.MAX_HIDDEN_LAYERS + 1  # hidden layers as the article counts them: the code included
MAX_UNITS = 1024
MAX_EPOCHS = 100
LATENT_ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid")
EXPLORER_TRAIN_IMAGES = 10_000
FIGURE_DPI = 72
RIGHT_COLOUR, WRONG_COLOUR, NOTE_COLOUR = "#1a7f37", "#b35900", "#57606a"
LIVE_NOTE = (
    "Needs a running notebook: in the online book the controls below are a snapshot. "
    "Open the notebook (launch buttons at the top of the page) to use them."
)


def _message_html(text: str, colour: str = NOTE_COLOUR, mark: str = "") -> str:
    """A one-line coloured message, escaped."""
    prefix = f"{mark} " if mark else ""
    return f'<div style="color:{colour}">{prefix}{html.escape(text, quote=False)}</div>'


def _note_html(text: str) -> str:
    """A small grey note in italics, escaped."""
    return f'<p style="color:{NOTE_COLOUR};font-size:0.9em"><em>{html.escape(text, quote=False)}</em></p>'


class CourseWidget:
    """Common display logic: a static header above the live controls, with a static fallback.

    Subclasses set ``box`` (the ipywidgets container) and implement :meth:`header_html` and
    :meth:`snapshot_html`.
    """

    box: ipywidgets.Box

    def header_html(self) -> str:
        """The static header shown above the controls."""
        raise NotImplementedError

    def snapshot_html(self) -> str:
        """The widget's current state as static HTML, for viewers without widget support."""
        raise NotImplementedError

    def snapshot_text(self) -> str:
        """The widget's current state as plain text."""
        return re.sub(r"<[^>]+>", "", self.snapshot_html()).strip()

    def mimebundle(self) -> dict[str, object]:
        """The live widget's output: the widget view plus the static HTML and text fallbacks."""
        bundle = dict(self.box._repr_mimebundle_() or {})
        bundle["text/html"] = self.snapshot_html()
        bundle["text/plain"] = self.snapshot_text()
        return bundle

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        display(HTML(self.header_html()))
        display(self.mimebundle(), raw=True)


# --------------------------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------------------------


class _Question(CourseWidget):
    """A question with an input, a Check button and feedback."""

    input: ipywidgets.ValueWidget

    def __init__(self, prompt: str, title: str) -> None:
        self.prompt = prompt
        self.title = title
        self.button = ipywidgets.Button(description="Check", button_style="primary", icon="check")
        self.feedback = ipywidgets.HTML()
        self.correct: bool | None = None
        self.message = ""
        self.button.on_click(self._on_check)

    def assess(self, value: object) -> tuple[bool | None, str]:
        """``(True, why)`` if right, ``(False, what to fix)`` if wrong, ``(None, what to do)`` without an answer."""
        raise NotImplementedError

    def _on_check(self, _button: ipywidgets.Button | None = None) -> None:
        try:
            correct, message = self.assess(self.input.value)
        except Exception as error:  # a question must never show a traceback
            correct, message = None, f"Could not check this answer ({error}); try another way of writing it."
        self.correct, self.message = correct, message
        if correct:
            self.feedback.value = _message_html(f"Right. {message}", RIGHT_COLOUR, exercises.RIGHT_MARK)
        elif correct is False:
            self.feedback.value = _message_html(f"Not yet. {message}", WRONG_COLOUR, exercises.FIX_MARK)
        else:
            self.feedback.value = _message_html(message)

    def submit(self, value: object) -> str:
        """Enter ``value``, press Check and return the feedback as plain text."""
        self.input.value = value
        self.button.click()
        return self.message

    def header_html(self) -> str:
        return f"<p><strong>{html.escape(self.title)}.</strong> {self.prompt}</p>" + _note_html(LIVE_NOTE)


class MultipleChoice(_Question):
    """A multiple-choice question whose every wrong choice has its own feedback.

    Args:
        prompt: The question (may contain simple HTML such as ``<code>``).
        choices: Each choice mapped to the feedback shown when it is chosen; the right choice's
            feedback explains why it is right.
        answer: The right choice, one of ``choices``.
        title: Shown in bold before the question.
    """

    def __init__(self, prompt: str, choices: Mapping[str, str], answer: str, title: str = "Question") -> None:
        if answer not in choices:
            raise ValueError(f"the answer {answer!r} is not one of the choices {list(choices)}.")
        if len(choices) < 2:
            raise ValueError("a multiple-choice question needs at least two choices.")
        super().__init__(prompt, title)
        self.choices = dict(choices)
        self.answer = answer
        self.input = ipywidgets.RadioButtons(
            options=list(self.choices), value=None, layout=ipywidgets.Layout(width="max-content")
        )
        self.box = ipywidgets.VBox([self.input, self.button, self.feedback])

    def assess(self, value: object) -> tuple[bool | None, str]:
        if value is None:
            return None, "Choose one of the answers first, then press Check."
        if value not in self.choices:
            return None, f"{value!r} is not one of the choices."
        return value == self.answer, self.choices[str(value)]

    def snapshot_html(self) -> str:
        items = "".join(f"<li>{html.escape(choice)}</li>" for choice in self.choices)
        return f'<ul style="list-style:circle">{items}</ul>'


class NumericQuestion(_Question):
    """A question with a numeric answer; known wrong answers get their own feedback.

    Args:
        prompt: The question (may contain simple HTML such as ``<code>``).
        answer: The right number.
        hint: Shown for a wrong answer that is not one of ``mistakes``.
        mistakes: Wrong answers that follow from a typical mistake, each with what to fix.
        explanation: Shown with a right answer.
        tolerance: How far from ``answer`` a number may be and still count as right.
        title: Shown in bold before the question.
    """

    def __init__(
        self,
        prompt: str,
        answer: float,
        hint: str,
        mistakes: Mapping[float, str] | None = None,
        explanation: str = "",
        tolerance: float = 0.0,
        title: str = "Question",
    ) -> None:
        super().__init__(prompt, title)
        self.answer = answer
        self.hint = hint
        self.mistakes = dict(mistakes or {})
        self.explanation = explanation
        self.tolerance = tolerance
        self.input = ipywidgets.Text(placeholder="type a number", description="Answer:")
        self.box = ipywidgets.VBox([ipywidgets.HBox([self.input, self.button]), self.feedback])

    def assess(self, value: object) -> tuple[bool | None, str]:
        if isinstance(value, str) and not value.strip():
            return None, "Type your answer in the box first, then press Check."
        number, problem = exercises.parse_number(value)
        if problem is not None or number is None:
            return None, problem or "Type a number."
        if abs(number - self.answer) <= self.tolerance:
            return True, self.explanation
        for wrong, message in self.mistakes.items():
            if abs(number - wrong) <= self.tolerance:
                return False, message
        direction = "too high" if number > self.answer else "too low"
        return False, f"{number:,g} is {direction}. {self.hint}"

    def snapshot_html(self) -> str:
        return "<p>Answer: <code>________</code> [Check]</p>"


# --------------------------------------------------------------------------------------------
# Architectures
# --------------------------------------------------------------------------------------------


def parse_sizes(text: str) -> tuple[tuple[int, ...] | None, str | None]:
    """Read layer sizes such as ``"32, 10"`` as ``((32, 10), None)``, or ``(None, what is wrong)``.

    Also accepts a whole article-style architecture such as ``"784-32-10-2-10-32-784"``.
    """
    cleaned = str(text).strip().strip("[]()").strip()
    if not cleaned:
        return (), None
    compact = cleaned.replace(" ", "")
    if re.fullmatch(r"\d+(-\d+)+", compact):
        return _sizes_from_architecture(compact)
    tokens = [token for token in re.split(r"[,;\s]+", cleaned) if token]
    values: list[object] = []
    for token in tokens:
        if re.fullmatch(r"[+-]?\d+", token):
            values.append(int(token))
        else:
            try:
                values.append(float(token))
            except ValueError:
                values.append(token)
    if len(values) >= MAX_DEPTH:
        return None, (
            f"{len(values)} sizes make {len(values) + 1} hidden layers with the code; "
            f"this course goes up to {MAX_DEPTH}."
        )
    try:
        hidden = models.validate_architecture(values)
    except ValueError as error:
        return None, str(error)
    too_big = [units for units in hidden if units > MAX_UNITS]
    if too_big:
        return None, f"A layer of {too_big[0]:,} units is far wider than this course needs; use at most {MAX_UNITS:,}."
    return hidden, None


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


def layer_rows(hidden_units: Sequence[int]) -> list[tuple[str, str, int, str, int]]:
    """The Dense layers of a mirrored autoencoder: ``(part, layer, units, activation, parameters)``.

    The same rows as :func:`course_utils.models.layer_table`, computed without building a Keras model.
    """
    hidden = tuple(hidden_units)
    rows = []
    encoder = [*hidden, models.LATENT_DIM]
    decoder = [*reversed(hidden), models.INPUT_DIM]
    for part, sizes, first, last_name, last_activation in (
        ("encoder", encoder, models.INPUT_DIM, "latent", models.LATENT_ACTIVATION),
        ("decoder", decoder, models.LATENT_DIM, "reconstruction", models.OUTPUT_ACTIVATION),
    ):
        fan_in = first
        for position, units in enumerate(sizes, start=1):
            last = position == len(sizes)
            name = last_name if last else f"{part}_hidden_{position}"
            activation = last_activation if last else models.HIDDEN_ACTIVATION
            rows.append((part, name, units, activation, fan_in * units + units))
            fan_in = units
    return rows


def layer_table_html(hidden_units: Sequence[int]) -> str:
    """An HTML table of the layers of a mirrored autoencoder and its total parameter count."""
    rows = layer_rows(hidden_units)
    cells = "".join(
        f"<tr><td>{part}</td><td>{name}</td><td style='text-align:right'>{units:,}</td><td>{activation}</td>"
        f"<td style='text-align:right'>{parameters:,}</td></tr>"
        for part, name, units, activation, parameters in rows
    )
    total = sum(row[-1] for row in rows)
    return (
        "<table><thead><tr><th>part</th><th>layer</th><th>units</th><th>activation</th><th>parameters</th></tr>"
        f"</thead><tbody>{cells}<tr><td></td><td><strong>total</strong></td><td></td><td></td>"
        f"<td style='text-align:right'><strong>{total:,}</strong></td></tr></tbody></table>"
    )


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


class ArchitectureControls:
    """The number of hidden layers and their sizes, kept in step, with a message for impossible input.

    ``layers`` counts hidden layers as the article does (the 2-unit code included), so
    ``Autoencoder_3`` has 3; ``sizes`` lists the layers before the code. Changing ``layers`` adds or
    removes layers on the pixel side; typing sizes sets ``layers``.

    Args:
        hidden_units: The starting sizes before the code.
        on_change: Called after every change.
    """

    def __init__(self, hidden_units: Sequence[int], on_change: Callable[[], None]) -> None:
        hidden, problem = parse_sizes(", ".join(str(units) for units in hidden_units))
        if problem is not None or hidden is None:
            raise ValueError(problem)
        self.hidden_units: tuple[int, ...] | None = hidden
        self.problem: str | None = None
        self._on_change = on_change
        self._syncing = False
        style = {"description_width": "initial"}
        self.layers = ipywidgets.IntText(value=len(hidden) + 1, description="hidden layers (with the code):",
                                         style=style, layout=ipywidgets.Layout(width="16em"))
        self.sizes = ipywidgets.Text(value=", ".join(map(str, hidden)), description="sizes before the code:",
                                     placeholder="e.g. 32, 10", style=style)
        self.layers.observe(self._layers_changed, names="value")
        self.sizes.observe(self._sizes_changed, names="value")

    def _layers_changed(self, change: dict) -> None:
        if self._syncing:
            return
        depth = change["new"]
        if not 1 <= depth <= MAX_DEPTH:
            self._set(None, f"{depth} hidden layers is impossible here: choose 1 (the code alone) to {MAX_DEPTH}.")
            return
        hidden, problem = parse_sizes(self.sizes.value)
        if problem is not None or hidden is None:
            self._set(None, f"Fix the sizes first: {problem}")
            return
        hidden = _resized(hidden, depth - 1)
        self._sync(self.sizes, ", ".join(map(str, hidden)))
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

    def set_hidden_units(self, hidden_units: Sequence[int]) -> None:
        """Show these sizes (as if typed); a problem with them shows up in :attr:`problem`."""
        self.sizes.value = ", ".join(str(units) for units in hidden_units)


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
        self.box = ipywidgets.VBox(
            [ipywidgets.HBox([self.layers, self.sizes]), self.message, self.summary, self.table]
        )
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
        hidden, problem = self.controls.hidden_units, self.controls.problem
        if problem is not None or hidden is None:
            self.message.value = _message_html(problem or "Impossible input.", WRONG_COLOUR, exercises.FIX_MARK)
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

    def header_html(self) -> str:
        targets = "".join(
            f"<tr><td>{name}</td><td><code>{models.architecture_string(units)}</code></td>"
            f"<td style='text-align:right'>{models.ARTICLE_PARAMETER_COUNTS[name]:,}</td></tr>"
            for name, units in models.ARTICLE_HIDDEN_UNITS.items()
        )
        return (
            "<p><strong>Architecture builder.</strong> Set the number of hidden layers (as the article counts "
            "them, the 2-unit code included) and the sizes of the layers before the code, e.g. <code>32, 10</code>. "
            "The decoder mirrors the encoder. The table and the parameter count follow every change.</p>"
            "<table><thead><tr><th>article model</th><th>architecture</th><th>parameters</th></tr></thead>"
            f"<tbody>{targets}</tbody></table>" + _note_html(LIVE_NOTE)
        )

    def snapshot_html(self) -> str:
        hidden = self.hidden_units
        if hidden is None:
            return _message_html(self.controls.problem or "Impossible input.", WRONG_COLOUR)
        return self._summary_html(hidden) + layer_table_html(hidden)


# --------------------------------------------------------------------------------------------
# The depth explorer
# --------------------------------------------------------------------------------------------


class EpochProgress(keras.callbacks.Callback):
    """Advance an ipywidgets progress bar by one step per epoch (it prints nothing)."""

    def __init__(self, bar: ipywidgets.IntProgress) -> None:
        super().__init__()
        self.bar = bar

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.bar.max = int(self.params.get("epochs", self.bar.max) or 1)
        self.bar.value = 0
        self.bar.description = f"epoch 0/{self.bar.max}"

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.bar.value = epoch + 1
        self.bar.description = f"epoch {epoch + 1}/{self.bar.max}"


@dataclass(frozen=True)
class ExplorerRun:
    """One training run of the depth explorer and its scores.

    Attributes:
        number: 1 for the first run, then 2, 3, ...
        hidden_units: The sizes before the code.
        latent_activation: The activation of the code layer.
        epochs: Passes over the training images.
        parameters: Trainable parameters of the model.
        scores: The measures of :func:`course_utils.metrics.measure`.
        final_loss: The training loss after the last epoch.
        seconds: How long training and measuring took.
    """

    number: int
    hidden_units: tuple[int, ...]
    latent_activation: str
    epochs: int
    parameters: int
    scores: dict[str, float] = field(default_factory=dict)
    final_loss: float = float("nan")
    seconds: float = 0.0

    @property
    def depth(self) -> int:
        """Hidden layers as the article counts them (the code included)."""
        return len(self.hidden_units) + 1

    @property
    def architecture(self) -> str:
        """For example ``784-32-10-2-10-32-784``."""
        return models.architecture_string(self.hidden_units)


RESULT_COLUMNS = ("knn_accuracy", "trustworthiness", "silhouette", "bce")


@contextlib.contextmanager
def _quiet_tensorflow_warnings() -> Iterator[None]:
    """Hold back TensorFlow's Python warnings (e.g. "retracing"), which each new model of a run triggers."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _figure_png(figure: Figure) -> bytes:
    """A Matplotlib figure as PNG bytes, for an ipywidgets ``Image``."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return buffer.getvalue()


def _check_settings(epochs: object, latent_activation: object) -> None:
    """Raise ``ValueError`` for epochs outside 1 to 100 or an activation the explorer does not offer."""
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS:
        raise ValueError(f"epochs must be a whole number from 1 to {MAX_EPOCHS}, not {epochs!r}.")
    if latent_activation not in LATENT_ACTIVATIONS:
        choices = ", ".join(LATENT_ACTIVATIONS)
        raise ValueError(f"latent_activation must be one of {choices}, not {latent_activation!r}.")


class DepthExplorer(CourseWidget):
    """Choose depth, sizes, code activation and epochs, press Train, then compare the runs.

    Each run builds a model with :func:`course_utils.models.build_autoencoder`, trains it with
    :func:`course_utils.training.train` (a progress bar, no printed lines) on 80% of the training
    images, then shows the latent space, ten reconstructions and :func:`course_utils.metrics.measure`'s
    scores on the other 20% (validation images: choosing the best run must not look at the test
    images). Every run is added to a results table.

    Args:
        data: The course data from :func:`course_utils.data.load_mnist`.
        epochs: The starting number of epochs (keep it small: a few seconds per run).
        hidden_units: The starting sizes before the code.
        latent_activation: The starting activation of the code.
        seed: Every run uses this seed, so the same settings give the same result.
        max_train_images: Train on at most this many training images, to keep a run short.
    """

    def __init__(
        self,
        data: MnistData,
        epochs: int = 5,
        hidden_units: Sequence[int] = (32, 10),
        latent_activation: str = "linear",
        seed: int = 42,
        max_train_images: int = EXPLORER_TRAIN_IMAGES,
    ) -> None:
        if not all(hasattr(data, name) for name in ("x_train", "y_train", "x_test", "y_test")):
            raise ValueError("DepthExplorer needs the course data: pass mnist = data.load_mnist().")
        _check_settings(epochs, latent_activation)
        if isinstance(max_train_images, bool) or not isinstance(max_train_images, int) or max_train_images < 10:
            raise ValueError(f"max_train_images must be a whole number of at least 10, not {max_train_images!r}.")
        # Picking the best run is a choice, so runs are measured on images held out from the training
        # set, never on the test images.
        x_fit, y_fit, x_val, y_val = split_validation(data.x_train, data.y_train)
        self.full_train_size = len(x_fit)
        self.data = MnistData(
            x_fit[:max_train_images], y_fit[:max_train_images], x_val, y_val, data.source, "validation split",
        )
        self.seed = seed
        self.runs: list[ExplorerRun] = []
        self.status = ipywidgets.HTML()
        self.architecture = ipywidgets.HTML()
        self.controls = ArchitectureControls(hidden_units, self._architecture_changed)
        self.layers, self.sizes = self.controls.layers, self.controls.sizes
        style = {"description_width": "initial"}
        self.activation = ipywidgets.Dropdown(options=LATENT_ACTIVATIONS, value=latent_activation,
                                              description="code activation:", style=style)
        self.epochs = ipywidgets.BoundedIntText(value=epochs, min=1, max=MAX_EPOCHS, description="epochs:",
                                                style=style, layout=ipywidgets.Layout(width="10em"))
        self.train_button = ipywidgets.Button(description="Train", button_style="primary", icon="play")
        self.progress = ipywidgets.IntProgress(value=0, min=0, max=epochs, description=f"epoch 0/{epochs}",
                                               style=style)
        self.latent_image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(display="none"))
        self.reconstruction_image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(display="none"))
        self.scores = ipywidgets.HTML()
        self.results = ipywidgets.HTML()
        self.train_button.on_click(self._on_train)
        self.box = ipywidgets.VBox([
            ipywidgets.HBox([self.layers, self.sizes]),
            ipywidgets.HBox([self.activation, self.epochs]),
            self.architecture,
            ipywidgets.HBox([self.train_button, self.progress]),
            self.status,
            ipywidgets.HBox([self.latent_image, self.scores]),
            self.reconstruction_image,
            self.results,
        ])
        self._architecture_changed()
        self._show_results()

    def _architecture_changed(self) -> None:
        hidden, problem = self.controls.hidden_units, self.controls.problem
        if problem is not None or hidden is None:
            self.architecture.value = _message_html(problem or "Impossible input.", WRONG_COLOUR, exercises.FIX_MARK)
            return
        name = article_match(hidden)
        also = f" (the article's {name})" if name else ""
        self.architecture.value = (
            f"<code>{models.architecture_string(hidden)}</code>{also}: "
            f"{models.expected_parameter_count(hidden):,} parameters"
        )

    def run(
        self,
        hidden_units: Sequence[int] | None = None,
        latent_activation: str | None = None,
        epochs: int | None = None,
    ) -> ExplorerRun | None:
        """Set the controls (those given), press Train and return the new run.

        Impossible sizes are shown in the widget and give None, as for a student; an unknown
        activation or epochs outside 1 to 100 raise ``ValueError``.
        """
        _check_settings(epochs if epochs is not None else self.epochs.value, latent_activation or self.activation.value)
        if hidden_units is not None:
            self.controls.set_hidden_units(hidden_units)
        if latent_activation is not None:
            self.activation.value = latent_activation
        if epochs is not None:
            self.epochs.value = epochs
        before = len(self.runs)
        self.train_button.click()
        return self.runs[-1] if len(self.runs) > before else None

    def _on_train(self, _button: ipywidgets.Button | None = None) -> None:
        hidden, problem = self.controls.hidden_units, self.controls.problem
        if problem is not None or hidden is None:
            self.status.value = _message_html(f"Not trained: {problem}", WRONG_COLOUR, exercises.FIX_MARK)
            return
        self.train_button.disabled = True
        self.status.value = _message_html(f"Training {models.architecture_string(hidden)} ...")
        try:
            with _quiet_tensorflow_warnings():
                run = self._train(hidden, self.activation.value, int(self.epochs.value))
        except Exception as error:  # training problems become a message, never a traceback
            self.status.value = _message_html(
                f"Training stopped: {type(error).__name__}: {error}. Try other settings.", WRONG_COLOUR,
                exercises.FIX_MARK,
            )
        else:
            self.status.value = _message_html(
                f"Run {run.number}: {run.architecture}, {run.latent_activation} code, {run.epochs} epochs, "
                f"{run.seconds:.1f} s. kNN accuracy {run.scores['knn_accuracy']:.3f}.",
                RIGHT_COLOUR,
                exercises.RIGHT_MARK,
            )
        finally:
            self.train_button.disabled = False

    def _train(self, hidden: tuple[int, ...], activation: str, epochs: int) -> ExplorerRun:
        started = time.perf_counter()
        number = len(self.runs) + 1
        autoencoder = models.build_autoencoder(
            hidden, latent_activation=activation, seed=self.seed, name=f"run_{number}"
        )
        history = training.train(
            autoencoder, self.data.x_train, None, training.TrainingSettings(epochs=epochs),
            seed=self.seed, verbose=False, callbacks=[EpochProgress(self.progress)],
        )
        scores = metrics.measure(metrics.autoencoder_representation(autoencoder), self.data)
        codes = training.encode(autoencoder, self.data.x_test)
        shown = compare.first_of_each_digit(self.data.y_test)
        title = f"Run {number}: {models.architecture_string(hidden)}, {activation} code, {epochs} epochs"
        self.latent_image.value = _figure_png(plots.plot_latent_space(codes, self.data.y_test, title=title))
        self.reconstruction_image.value = _figure_png(
            plots.show_reconstructions(
                self.data.x_test[shown], training.reconstruct(autoencoder, self.data.x_test[shown]),
                title=f"Run {number}: validation digits and reconstructions",
            )
        )
        self.latent_image.layout.display = self.reconstruction_image.layout.display = ""
        run = ExplorerRun(
            number, hidden, activation, epochs, autoencoder.count_params(), scores,
            float(history.history["loss"][-1]), time.perf_counter() - started,
        )
        self.runs.append(run)
        self.scores.value = self._scores_html(run)
        self._show_results()
        return run

    @staticmethod
    def _scores_html(run: ExplorerRun) -> str:
        rows = "".join(
            f"<tr><td title='{html.escape(metrics.METRIC_DESCRIPTIONS[name])}'>{name}</td>"
            f"<td style='text-align:right'>{value:.3f}</td></tr>"
            for name, value in run.scores.items()
        )
        return f"<p><strong>Run {run.number}</strong></p><table>{rows}</table>"

    def results_html(self) -> str:
        """The table of all runs so far, the best value of each measure in bold."""
        if not self.runs:
            return "<p><em>No runs yet: press Train. Every run will be added to this table.</em></p>"
        best = {}
        for name in RESULT_COLUMNS:
            values = [run.scores.get(name, np.nan) for run in self.runs]
            pick = np.nanargmin if name in metrics.LOWER_IS_BETTER else np.nanargmax
            best[name] = self.runs[int(pick(values))].number
        header = "".join(f"<th>{name}</th>" for name in
                         ("run", "architecture", "code", "epochs", "parameters", *RESULT_COLUMNS, "seconds"))
        body = ""
        for run in self.runs:
            scores = "".join(
                f"<td style='text-align:right'>{'<b>' if best[name] == run.number else ''}"
                f"{run.scores.get(name, np.nan):.3f}{'</b>' if best[name] == run.number else ''}</td>"
                for name in RESULT_COLUMNS
            )
            body += (
                f"<tr><td>{run.number}</td><td><code>{run.architecture}</code></td><td>{run.latent_activation}</td>"
                f"<td style='text-align:right'>{run.epochs}</td><td style='text-align:right'>{run.parameters:,}</td>"
                f"{scores}<td style='text-align:right'>{run.seconds:.1f}</td></tr>"
            )
        return f"<p><strong>Your runs</strong> (best in bold)</p><table><thead><tr>{header}</tr></thead>" \
               f"<tbody>{body}</tbody></table>"

    def _show_results(self) -> None:
        self.results.value = self.results_html()

    def header_html(self) -> str:
        images = len(self.data.x_train)
        subset = (
            f" Runs train on the first {images:,} of those {self.full_train_size:,} images to stay short."
            if images < self.full_train_size
            else ""
        )
        return (
            "<p><strong>Depth explorer.</strong> Choose the number of hidden layers and their sizes, the "
            "activation of the 2-number code and the number of epochs, then press <strong>Train</strong>. The bar "
            "counts the epochs; then you see the validation digits in the latent space, ten reconstructions and the "
            "measures of notebook 1 (kNN accuracy, trustworthiness, silhouette, reconstruction errors). Runs train "
            f"on 80% of the training images and are measured on the other {len(self.data.x_test):,} (validation "
            "images): picking the best run is a choice, and the test images must never make one. Every run "
            "is added to the table at the bottom, so you can compare your own experiments. Every run uses the "
            f"same seed ({self.seed}): the same settings give the same result.{subset}</p>" + _note_html(LIVE_NOTE)
        )

    def snapshot_html(self) -> str:
        return (
            f"<p>Settings: <code>{html.escape(self.hidden_units_text())}</code>, {self.activation.value} code, "
            f"{self.epochs.value} epochs.</p>" + self.results_html()
        )

    def hidden_units_text(self) -> str:
        """The architecture the controls describe, or the typed sizes while they are impossible."""
        hidden = self.controls.hidden_units
        return models.architecture_string(hidden) if hidden is not None else self.sizes.value
