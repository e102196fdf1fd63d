"""The measure explorer: shape a made-up 2-D latent space with sliders and watch the measures move.

``measure_explorer.MeasureExplorer()`` in a notebook. Ten clusters, one per digit, sit on a ring;
four sliders set how far apart they are, how wide, how long an arm each cluster stretches out
from the ring, and which share of each digit is drawn in a second place on the other side of the
ring. Every change redraws the test points and recomputes the kNN accuracy and the silhouette with
the lesson's own functions (:mod:`course_utils.metrics`).

The random draws are made once, from a seed, and only moved by the sliders: the same settings
always give the same points and the same measures, and a small move of a slider moves each point
a little.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, fields

import ipywidgets
import numpy as np
import pandas as pd

from course_utils import metrics, plots
from course_utils.exercises.feedback import fix_html, parse_number
from course_utils.exercises.widgets import CourseWidget, controls_list_html, field_options, field_row, figure_png, html_table

TRAIN_PER_DIGIT = 50
TEST_PER_DIGIT = 30
SLIDER_WIDTH = "30em"
MEASURES = ("knn_accuracy", "silhouette")
# Where the second place of a digit lies: across the ring, half-way between two other digits.
SECOND_PLACE_TURN = math.pi + math.pi / 10


@dataclass(frozen=True)
class Knob:
    """One slider: its label, range and step."""

    label: str
    low: float
    high: float
    step: float


KNOBS = {
    "distance": Knob("distance of the clusters from the centre:", 0.0, 5.0, 0.1),
    "spread": Knob("spread of each cluster:", 0.05, 2.0, 0.05),
    "arm_length": Knob("length of each cluster's arm:", 0.0, 10.0, 0.5),
    "split": Knob("share of each digit drawn in a second place:", 0.0, 0.5, 0.05),
}


@dataclass(frozen=True)
class MadeUpSpace:
    """The settings of a made-up latent space; :meth:`measures` computes its measures from scratch.

    Attributes:
        distance: Radius of the ring the ten cluster centres sit on.
        spread: Standard deviation of the round noise around each point's place.
        arm_length: Each point lies up to this far further out along its digit's direction.
        split: Share of each digit's points drawn across the ring instead.
        seed: Seed of the random draws.
    """

    distance: float = 3.0
    spread: float = 0.3
    arm_length: float = 0.0
    split: float = 0.0
    seed: int = 0

    def points(self, labels: np.ndarray, stream: int) -> np.ndarray:
        """The 2-D codes of ``labels``; ``stream`` 0 draws the training points, 1 the test points."""
        rng = np.random.default_rng([self.seed, stream])
        count = len(labels)
        along, second, noise = rng.uniform(size=count), rng.uniform(size=count), rng.normal(size=(count, 2))
        angles = 2 * np.pi * labels / 10 + (second < self.split) * SECOND_PLACE_TURN
        directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)
        return directions * (self.distance + self.arm_length * along)[:, None] + self.spread * noise

    def codes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(train_codes, train_labels, test_codes, test_labels)``: 50 and 30 points of each digit."""
        train_labels = np.repeat(np.arange(10), TRAIN_PER_DIGIT)
        test_labels = np.repeat(np.arange(10), TEST_PER_DIGIT)
        return self.points(train_labels, 0), train_labels, self.points(test_labels, 1), test_labels

    def measures(self) -> dict[str, float]:
        """kNN accuracy (fitted on the training points, scored on the test points) and silhouette of the test points."""
        train_codes, train_labels, test_codes, test_labels = self.codes()
        return {
            "knn_accuracy": metrics.knn_accuracy(train_codes, train_labels, test_codes, test_labels),
            "silhouette": metrics.latent_silhouette(test_codes, test_labels),
        }


def setting_problem(name: str, value: object) -> str | None:
    """Why ``value`` cannot be the setting ``name``, or None."""
    if name not in KNOBS:
        return f"There is no setting {name!r}; the settings are {', '.join(KNOBS)}."
    number, problem = parse_number(value)
    knob = KNOBS[name]
    if number is None:
        return f"{name}: {problem}"
    if not knob.low <= number <= knob.high:
        return f"{name} must lie from {knob.low:g} to {knob.high:g}, not {number:g}."
    return None


def measures_html(scores: dict[str, float], uuid: str) -> str:
    """The measures as a small table, each name with its description from notebook 1 as a tooltip."""
    table = pd.DataFrame({"measure": list(scores), "value": list(scores.values())})

    def described(name: str) -> str:
        return f'<span title="{html.escape(metrics.METRIC_DESCRIPTIONS.get(name, name))}">{name}</span>'

    styler = html_table(table, uuid, right=("value",), formats={"measure": described, "value": "{:.3f}"})
    return styler.hide(axis="columns").to_html()


class MeasureExplorer(CourseWidget):
    """Four sliders shape a made-up 2-D latent space; the picture and the measures follow.

    Args:
        distance: Starting radius of the ring of cluster centres.
        spread: Starting width of each cluster.
        arm_length: Starting length of each cluster's arm.
        split: Starting share of each digit drawn in a second place.
        seed: Seed of the random draws: the same settings always give the same points.
    """

    def __init__(
        self, distance: float = 3.0, spread: float = 0.3, arm_length: float = 0.0, split: float = 0.0, seed: int = 0
    ) -> None:
        start = {"distance": distance, "spread": spread, "arm_length": arm_length, "split": split}
        problems = [problem for name, value in start.items() if (problem := setting_problem(name, value))]
        if problems:
            raise ValueError(problems[0])
        self.seed = int(seed)
        self.sliders = {name: self._slider(KNOBS[name], float(value)) for name, value in start.items()}
        self.image = ipywidgets.Image(format="png")
        self.scores = ipywidgets.HTML()
        self.status = ipywidgets.HTML()
        self.current: dict[str, float] = {}
        self.box = ipywidgets.VBox(
            [
                field_row(self.sliders["distance"], self.sliders["spread"]),
                field_row(self.sliders["arm_length"], self.sliders["split"]),
                self.status,
                ipywidgets.HBox([self.image, self.scores]),
            ]
        )
        for slider in self.sliders.values():
            slider.observe(self._on_change, names="value")
        self._redraw()

    @staticmethod
    def _slider(knob: Knob, value: float) -> ipywidgets.FloatSlider:
        options = {**field_options(knob.label), "layout": ipywidgets.Layout(width=SLIDER_WIDTH)}
        return ipywidgets.FloatSlider(
            value=value, min=knob.low, max=knob.high, step=knob.step, continuous_update=False, **options
        )

    @property
    def space(self) -> MadeUpSpace:
        """The made-up space the sliders describe now."""
        return MadeUpSpace(**{name: float(slider.value) for name, slider in self.sliders.items()}, seed=self.seed)

    def set(self, **settings: object) -> dict[str, float] | None:
        """Move the sliders named (``distance``, ``spread``, ``arm_length``, ``split``) and return the new measures.

        An impossible setting is shown in the widget and gives None; the sliders then keep their values.
        """
        problems = [problem for name, value in settings.items() if (problem := setting_problem(name, value))]
        if problems:
            self.status.value = fix_html(f"Not changed: {problems[0]}")
            return None
        with self.box.hold_sync():
            for name, value in settings.items():
                self.sliders[name].unobserve(self._on_change, names="value")
                self.sliders[name].value = parse_number(value)[0]
                self.sliders[name].observe(self._on_change, names="value")
        self._redraw()
        return dict(self.current)

    def _on_change(self, _change: dict | None = None) -> None:
        self._redraw()

    def _redraw(self) -> None:
        """Recompute the measures and the picture; a failure becomes a message, never a traceback."""
        space = self.space
        try:
            self.current = space.measures()
            title = f"distance {space.distance:g}, spread {space.spread:g}, arm {space.arm_length:g}, split {space.split:g}"
            _, _, test_codes, test_labels = space.codes()
            self.image.value = figure_png(plots.plot_latent_space(test_codes, test_labels, title=title))
        except Exception as error:  # a redraw must never show a traceback
            self.status.value = fix_html(f"Could not draw these settings ({type(error).__name__}: {error}).")
            return
        self.status.value = ""
        self.scores.value = measures_html(self.current, f"measures-{id(self)}")

    def intro_html(self) -> str:
        return (
            "<p><strong>Measure explorer.</strong> Ten made-up clusters, one per digit, "
            f"{TEST_PER_DIGIT} test points each (the kNN classifier is fitted on {TRAIN_PER_DIGIT} more training points "
            "per digit). Move a slider: the points are redrawn and the kNN accuracy and the silhouette are measured "
            "again. The <em>arm</em> stretches each cluster outwards from the ring; the <em>second place</em> puts a "
            "share of each digit's points across the ring, between two other digits. Trustworthiness needs the "
            "images behind the codes, which a made-up space does not have, so it is left out.</p>"
        )

    def controls_html(self) -> str:
        return controls_list_html(
            [
                (knob.label, f"a slider from {knob.low:g} to {knob.high:g}; starts at {self.sliders[name].value:g}")
                for name, knob in KNOBS.items()
            ]
        )

    def snapshot_html(self) -> str:
        space = self.space
        settings = ", ".join(f"{field.name} {getattr(space, field.name):g}" for field in fields(space)[:-1])
        scores = ", ".join(f"{name} {value:.3f}" for name, value in self.current.items())
        return f"<p>Settings: {html.escape(settings)}.</p><p>Measures: {html.escape(scores)}.</p>"
