"""The measure explorer of exercise 6.1, driven as a student would: move a slider, read the measures."""

import numpy as np
import pytest

from course_utils import metrics
from course_utils.exercises import measure_explorer, widgets
from course_utils.exercises.checks import nb06
from course_utils.exercises.measure_explorer import MadeUpSpace, MeasureExplorer

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def explorer() -> MeasureExplorer:
    return MeasureExplorer()


def test_the_explorer_starts_with_a_picture_and_both_measures(explorer):
    assert set(explorer.current) == {"knn_accuracy", "silhouette"}
    assert all(np.isfinite(value) for value in explorer.current.values())
    assert bytes(explorer.image.value[:4]) == b"\x89PNG"
    assert "knn_accuracy" in explorer.scores.value and "silhouette" in explorer.scores.value
    assert "Measure explorer." in explorer.header_html() and "Trustworthiness" in explorer.header_html()
    bundle = explorer.mimebundle()
    assert WIDGET_VIEW in bundle and "Measures: knn_accuracy" in bundle["text/plain"]
    assert "distance 3" in explorer.snapshot_text() and "split 0" in explorer.snapshot_text()


def test_the_starting_space_is_well_separated_so_the_task_needs_a_move(explorer):
    explorer.set(distance=3.0, spread=0.3, arm_length=0.0, split=0.0)
    assert explorer.current["knn_accuracy"] >= nb06.EXPLORER_KNN_TARGET
    assert explorer.current["silhouette"] >= nb06.EXPLORER_SILHOUETTE_TARGET


def test_moving_a_slider_redraws_and_measures_again():
    widget = MeasureExplorer()
    before, picture = dict(widget.current), bytes(widget.image.value)
    widget.sliders["spread"].value = 1.5  # as a student drags it: the observer redraws
    assert widget.current["knn_accuracy"] < before["knn_accuracy"]
    assert widget.current["silhouette"] < before["silhouette"]
    assert bytes(widget.image.value) != picture
    assert "spread 1.5" in widget.snapshot_text()


def test_the_same_settings_give_the_same_points_and_measures():
    first, second = MeasureExplorer(split=0.3), MeasureExplorer(split=0.3)
    assert first.current == second.current
    for a, b in zip(first.space.codes(), second.space.codes()):
        np.testing.assert_array_equal(a, b)
    measured = first.current
    first.set(spread=1.0)
    assert first.set(spread=0.3) == measured, "moving a slider back gives the same measures again"
    assert MeasureExplorer(seed=1).current != MeasureExplorer(seed=0).current


def test_a_small_move_moves_each_point_a_little():
    near = MadeUpSpace(distance=3.0).codes()[2]
    nearer = MadeUpSpace(distance=3.1).codes()[2]
    assert np.abs(near - nearer).max() <= 0.1 + 1e-9


def test_the_measures_are_the_lessons_own():
    space = MadeUpSpace(spread=0.6, arm_length=2.0)
    train, y_train, test, y_test = space.codes()
    assert len(train) == 10 * measure_explorer.TRAIN_PER_DIGIT and len(test) == 10 * measure_explorer.TEST_PER_DIGIT
    assert space.measures() == {
        "knn_accuracy": metrics.knn_accuracy(train, y_train, test, y_test),
        "silhouette": metrics.latent_silhouette(test, y_test),
    }


def test_a_second_place_keeps_knn_accuracy_but_takes_the_silhouette_down():
    one_place, two_places = MadeUpSpace(spread=0.2), MadeUpSpace(spread=0.2, split=0.35)
    assert two_places.measures()["knn_accuracy"] >= nb06.EXPLORER_KNN_TARGET
    assert two_places.measures()["silhouette"] < nb06.EXPLORER_SILHOUETTE_TARGET < one_place.measures()["silhouette"]


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"spread": "wide"}, "not a number"),
        ({"spread": float("nan")}, "NaN"),
        ({"split": 0.9}, "must lie from 0 to 0.5"),
        ({"distance": -1}, "must lie from 0 to 5"),
        ({"colour": 1}, "There is no setting 'colour'"),
    ],
)
def test_an_impossible_setting_is_shown_and_changes_nothing(explorer, settings, message):
    explorer.set(distance=3.0, spread=0.3, arm_length=0.0, split=0.0)
    before = dict(explorer.current)
    assert explorer.set(**settings) is None
    assert message in explorer.status.value and "Not changed" in explorer.status.value
    assert explorer.current == before and explorer.space == MadeUpSpace()


def test_a_setting_given_as_text_is_read():
    widget = MeasureExplorer()
    assert widget.set(split="0.35", spread="0.2") is not None
    assert widget.space.split == 0.35 and widget.status.value == ""


@pytest.mark.parametrize("settings", [{"spread": 0}, {"split": 1}, {"distance": "far"}])
def test_impossible_starting_settings_are_a_clear_error(settings):
    with pytest.raises(ValueError, match="spread|split|distance"):
        MeasureExplorer(**settings)


def test_the_explorer_gives_its_instructions_and_sliders_but_no_measure_as_static_text(explorer):
    text = explorer.static_text()
    assert text.startswith("Measure explorer.") and "spread of each cluster: a slider from 0.05 to 2; starts at 0.3" in text
    assert all(knob.label in text for knob in measure_explorer.KNOBS.values())
    assert not any(f"{value:.3f}" in text for value in explorer.current.values()) and "Measures" not in text
    assert widgets.LIVE_NOTE not in explorer.static_html()
