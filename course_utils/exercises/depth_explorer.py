"""The depth explorer: choose depth, sizes, code activation and epochs, press Train, compare the runs.

``depth_explorer.DepthExplorer(mnist, epochs=3)`` in a notebook. Each run builds, trains and
measures a model with the lesson's own functions (:mod:`course_utils.models`,
:mod:`course_utils.training`, :mod:`course_utils.metrics`) and is added to a table of all runs.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import logging
import numbers
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import ipywidgets
import pandas as pd

from course_utils import compare, metrics, models, plots, training
from course_utils.backend import keras
from course_utils.data import MnistData, split_validation
from course_utils.environment import DEFAULT_SEED
from course_utils.exercises.architecture_builder import ArchitectureControls, article_match, sizes_text
from course_utils.exercises.feedback import fix_html, message_html, right_html, shown
from course_utils.exercises.widgets import (
    CourseWidget,
    controls_list_html,
    field_options,
    field_row,
    figure_png,
    html_table,
)

MAX_EPOCHS = 100
LATENT_ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid")
EXPLORER_TRAIN_IMAGES = 10_000
RESULT_COLUMNS = ("knn_accuracy", "trustworthiness", "silhouette", "bce")
RUN_COLUMNS = ("run", "architecture", "code", "epochs", "parameters", *RESULT_COLUMNS, "seconds")
_TABLE_NUMBERS = itertools.count(1)  # each explorer's tables get their own CSS names


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

    def row(self) -> dict[str, object]:
        """The run as a row of the results table."""
        basics = (self.number, self.architecture, self.latent_activation, self.epochs, self.parameters)
        scores = {name: self.scores.get(name, float("nan")) for name in RESULT_COLUMNS}
        return {**dict(zip(RUN_COLUMNS, basics)), **scores, "seconds": self.seconds}


def runs_table_html(runs: Sequence[ExplorerRun], uuid: str = "runs") -> str:
    """The table of ``runs``, the best value of each measure in bold."""
    table = pd.DataFrame([run.row() for run in runs], columns=RUN_COLUMNS)
    numbers = ("epochs", "parameters", *RESULT_COLUMNS, "seconds")
    formats = {"architecture": "<code>{}</code>", "parameters": "{:,}", "seconds": "{:.1f}"}
    formats |= {name: "{:.3f}" for name in RESULT_COLUMNS}
    lower = [name for name in RESULT_COLUMNS if name in metrics.LOWER_IS_BETTER]
    higher = [name for name in RESULT_COLUMNS if name not in lower]
    styler = html_table(table, uuid, right=numbers, formats=formats)
    bold = "font-weight:bold"
    return styler.highlight_max(subset=higher, props=bold).highlight_min(subset=lower, props=bold).to_html()


def scores_html(run: ExplorerRun, uuid: str = "scores") -> str:
    """One run's measures, each name with its description as a tooltip."""
    table = pd.DataFrame({"measure": list(run.scores), "value": list(run.scores.values())})

    def described(name: str) -> str:
        return f'<span title="{html.escape(metrics.METRIC_DESCRIPTIONS.get(name, name))}">{name}</span>'

    styler = html_table(table, uuid, right=("value",), formats={"measure": described, "value": "{:.3f}"})
    return f"<p><strong>Run {run.number}</strong></p>" + styler.hide(axis="columns").to_html()


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


def check_settings(epochs: object, latent_activation: object) -> None:
    """Raise ``ValueError`` for epochs outside 1 to 100 or an activation the explorer does not offer."""
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or not 1 <= epochs <= MAX_EPOCHS:
        raise ValueError(f"epochs must be a whole number from 1 to {MAX_EPOCHS}, not {shown(epochs)}.")
    if not isinstance(latent_activation, str) or latent_activation not in LATENT_ACTIVATIONS:
        choices = ", ".join(LATENT_ACTIVATIONS)
        raise ValueError(f"latent_activation must be one of {choices}, not {shown(latent_activation)}.")


def explorer_data(data: MnistData, max_train_images: int) -> MnistData:
    """The explorer's images: at most ``max_train_images`` to train on, validation images to measure on.

    Picking the best run is a choice, so runs are measured on images held out from the training
    set, never on the test images.
    """
    if not all(hasattr(data, name) for name in ("x_train", "y_train", "x_test", "y_test")):
        raise ValueError("DepthExplorer needs the course data: pass mnist = data.load_mnist().")
    if isinstance(max_train_images, bool) or not isinstance(max_train_images, int) or max_train_images < 10:
        raise ValueError(f"max_train_images must be a whole number of at least 10, not {max_train_images!r}.")
    x_fit, y_fit, x_val, y_val = split_validation(data.x_train, data.y_train)
    return MnistData(x_fit[:max_train_images], y_fit[:max_train_images], x_val, y_val, data.source, "validation split")


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
        hidden_units: Sequence[int] | str = (32, 10),
        latent_activation: str = "linear",
        seed: int = DEFAULT_SEED,
        max_train_images: int = EXPLORER_TRAIN_IMAGES,
    ) -> None:
        check_settings(epochs, latent_activation)
        epochs, latent_activation = int(epochs), str(latent_activation)
        self.data = explorer_data(data, max_train_images)
        self.full_train_size = len(data.x_train) - len(self.data.x_test)
        self.seed = seed
        self.runs: list[ExplorerRun] = []
        self.table_number = next(_TABLE_NUMBERS)
        self.controls = ArchitectureControls(hidden_units, self._architecture_changed)
        self.layers, self.sizes = self.controls.layers, self.controls.sizes
        self._make_controls(epochs, latent_activation)
        self._make_outputs()
        self.box = self._layout()
        self._architecture_changed()
        self._show_results()

    def _layout(self) -> ipywidgets.VBox:
        """Settings on top, then Train and its progress, the pictures and scores, the table of runs."""
        return ipywidgets.VBox(
            [
                field_row(self.layers, self.sizes),
                field_row(self.activation, self.epochs),
                self.architecture,
                ipywidgets.HBox([self.train_button, self.progress]),
                self.status,
                ipywidgets.HBox([self.latent_image, self.scores]),
                self.reconstruction_image,
                self.results,
            ]
        )

    def _make_controls(self, epochs: int, latent_activation: str) -> None:
        self.activation = ipywidgets.Dropdown(
            options=LATENT_ACTIVATIONS, value=latent_activation, **field_options("code activation:")
        )
        self.epochs = ipywidgets.BoundedIntText(value=epochs, min=1, max=MAX_EPOCHS, **field_options("epochs:"))
        self.train_button = ipywidgets.Button(description="Train", button_style="primary", icon="play")
        self.train_button.on_click(self._on_train)
        self.progress = ipywidgets.IntProgress(
            value=0, min=0, max=epochs, description=f"epoch 0/{epochs}", style={"description_width": "initial"}
        )

    def _make_outputs(self) -> None:
        self.architecture = ipywidgets.HTML()
        self.status = ipywidgets.HTML()
        self.latent_image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(display="none"))
        self.reconstruction_image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(display="none"))
        self.scores = ipywidgets.HTML()
        self.results = ipywidgets.HTML()

    def _architecture_changed(self) -> None:
        hidden = self.controls.hidden_units
        if self.controls.problem is not None or hidden is None:
            self.architecture.value = self.controls.impossible_html()
            return
        name = article_match(hidden)
        also = f" (the article's {name})" if name else ""
        self.architecture.value = (
            f"<code>{models.architecture_string(hidden)}</code>{also}: "
            f"{models.expected_parameter_count(hidden):,} parameters"
        )

    def run(
        self,
        hidden_units: Sequence[int] | str | None = None,
        latent_activation: str | None = None,
        epochs: int | None = None,
    ) -> ExplorerRun | None:
        """Set the controls (those given), press Train and return the new run.

        Impossible settings (sizes, an unknown activation, epochs outside 1 to 100) are shown in
        the widget and give None, as for a student; the controls keep their values.
        """
        try:
            check_settings(
                self.epochs.value if epochs is None else epochs,
                self.activation.value if latent_activation is None else latent_activation,
            )
            sizes = None if hidden_units is None else sizes_text(hidden_units)
        except ValueError as error:
            self.status.value = fix_html(f"Not trained: {error}")
            return None
        if sizes is not None:
            self.sizes.value = sizes
        if latent_activation is not None:
            self.activation.value = str(latent_activation)
        if epochs is not None:
            self.epochs.value = int(epochs)
        before = len(self.runs)
        self.train_button.click()
        return self.runs[-1] if len(self.runs) > before else None

    def _on_train(self, _button: ipywidgets.Button | None = None) -> None:
        hidden, problem = self.controls.hidden_units, self.controls.problem
        if problem is not None or hidden is None:
            self.status.value = fix_html(f"Not trained: {problem}")
            return
        self.train_button.disabled = True
        self.status.value = message_html(f"Training {models.architecture_string(hidden)} ...")
        try:
            with _quiet_tensorflow_warnings():
                run = self._train(hidden, self.activation.value, int(self.epochs.value))
        except Exception as error:  # training problems become a message, never a traceback
            self.status.value = fix_html(f"Training stopped: {type(error).__name__}: {error}. Try other settings.")
        else:
            self.status.value = right_html(
                f"Run {run.number}: {run.architecture}, {run.latent_activation} code, {run.epochs} epochs, "
                f"{run.seconds:.1f} s. kNN accuracy {run.scores['knn_accuracy']:.3f}."
            )
        finally:
            self.train_button.disabled = False

    def _train(self, hidden: tuple[int, ...], activation: str, epochs: int) -> ExplorerRun:
        """Build, train and measure one model, show it, and add it to the runs."""
        started = time.perf_counter()
        number = len(self.runs) + 1
        autoencoder = models.build_autoencoder(hidden, latent_activation=activation, seed=self.seed, name=f"run_{number}")
        history = training.train(
            autoencoder,
            self.data.x_train,
            None,
            training.TrainingSettings(epochs=epochs),
            seed=self.seed,
            verbose=False,
            callbacks=[EpochProgress(self.progress)],
        )
        scores = metrics.measure(metrics.autoencoder_representation(autoencoder), self.data)
        self._show_pictures(autoencoder, f"Run {number}", f"{activation} code, {epochs} epochs")
        run = ExplorerRun(
            number,
            hidden,
            activation,
            epochs,
            autoencoder.count_params(),
            scores,
            float(history.history["loss"][-1]),
            time.perf_counter() - started,
        )
        self.runs.append(run)
        self.scores.value = scores_html(run, f"scores-{self.table_number}")
        self._show_results()
        return run

    def _show_pictures(self, autoencoder: models.Autoencoder, run: str, settings: str) -> None:
        """The validation codes in the latent space and ten reconstructions, titled ``"Run 2: ..."``."""
        x, y = self.data.x_test, self.data.y_test
        title = f"{run}: {autoencoder.architecture}, {settings}"
        self.latent_image.value = figure_png(plots.plot_latent_space(training.encode(autoencoder, x), y, title=title))
        shown = compare.first_of_each_digit(y)
        reconstructions = training.reconstruct(autoencoder, x[shown])
        self.reconstruction_image.value = figure_png(
            plots.show_reconstructions(x[shown], reconstructions, title=f"{run}: validation digits and reconstructions")
        )
        self.latent_image.layout.display = self.reconstruction_image.layout.display = ""

    def results_html(self) -> str:
        """The table of all runs so far, the best value of each measure in bold."""
        if not self.runs:
            return "<p><em>No runs yet: press Train. Every run will be added to this table.</em></p>"
        table = runs_table_html(self.runs, f"runs-{self.table_number}")
        return "<p><strong>Your runs</strong> (best in bold)</p>" + table

    def _show_results(self) -> None:
        self.results.value = self.results_html()

    def intro_html(self) -> str:
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
            f"same seed ({self.seed}): the same settings give the same result.{subset}</p>"
        )

    def controls_html(self) -> str:
        activations = ", ".join(f"<code>{name}</code>" for name in LATENT_ACTIVATIONS)
        return controls_list_html(
            [
                *self.controls.rows(),
                (self.activation.description, f"one of {activations}; starts at <code>{self.activation.value}</code>"),
                (self.epochs.description, f"a whole number from 1 to {MAX_EPOCHS}; starts at {self.epochs.value}"),
                (self.train_button.description, "trains a model with these settings and adds it to the table of runs"),
            ]
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
