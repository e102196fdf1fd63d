"""The depth explorer, driven as a student would: set the controls, press Train, read runs and tables."""

import dataclasses
import re

import numpy as np
import pytest

from course_utils import models, training
from course_utils.exercises import depth_explorer, widgets
from course_utils.exercises.checks import nb04

pytestmark = pytest.mark.backend

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TINY_SIZES = {"x_train": 300, "y_train": 300, "x_test": 100, "y_test": 100}


@pytest.fixture(scope="module")
def tiny_mnist(small_mnist):
    """300 training and 100 test images: the explorer's own split leaves 240 to train on and 60 to measure."""
    arrays = {name: getattr(small_mnist, name)[:size] for name, size in TINY_SIZES.items()}
    return dataclasses.replace(small_mnist, **arrays, reason="tiny test slice")


@pytest.fixture(scope="module")
def trained_explorer(tiny_mnist):
    """An explorer with two one-epoch runs, 784-2-784 and Autoencoder_3."""
    explorer = depth_explorer.DepthExplorer(tiny_mnist, epochs=1, max_train_images=200)
    explorer.run(hidden_units=())
    explorer.run(hidden_units=(32, 10))
    return explorer


def test_explorer_starts_with_instructions_and_an_empty_table(tiny_mnist):
    explorer = depth_explorer.DepthExplorer(tiny_mnist, epochs=3, max_train_images=200)
    assert explorer.runs == [] and "No runs yet" in explorer.results.value
    assert "Autoencoder_3" in explorer.architecture.value and "51,726" in explorer.architecture.value
    assert explorer.progress.max == 3 and explorer.progress.value == 0
    header = explorer.header_html()
    assert "press <strong>Train</strong>" in header and "first 200 of those 240 images" in header
    assert "measured on the other 60 (validation images)" in header
    bundle = explorer.mimebundle()
    assert WIDGET_VIEW in bundle and "No runs yet" in bundle["text/html"] and "No runs yet" in bundle["text/plain"]


def test_explorer_trains_shows_progress_and_keeps_every_run(trained_explorer):
    explorer = trained_explorer
    assert [run.number for run in explorer.runs] == [1, 2]
    assert [run.depth for run in explorer.runs] == [1, 3]
    assert [run.parameters for run in explorer.runs] == [3_922, 51_726]
    assert explorer.progress.value == explorer.progress.max == 1 and explorer.progress.description == "epoch 1/1"
    assert bytes(explorer.latent_image.value[:4]) == b"\x89PNG" and explorer.latent_image.layout.display == ""
    assert bytes(explorer.reconstruction_image.value[:4]) == b"\x89PNG"
    assert "Run 2: 784-32-10-2-10-32-784" in explorer.status.value
    for name in ("knn_accuracy", "trustworthiness", "silhouette", "bce", "mse"):
        assert name in explorer.runs[-1].scores and name in explorer.scores.value
    table = explorer.results.value
    assert table.count("<tr>") == 3 and "784-2-784" in table and _bold_cells(table)
    assert "784-2-784" in explorer.snapshot_html()
    assert not explorer.train_button.disabled


def test_the_explorer_never_measures_on_the_test_images(trained_explorer, tiny_mnist):
    measured = trained_explorer.data
    assert len(measured.x_train) == 200 and len(measured.x_test) == 60
    held_out = {row.tobytes() for row in measured.x_test}
    assert not held_out & {row.tobytes() for row in tiny_mnist.x_test}, "the test images must not be measured"
    assert not held_out & {row.tobytes() for row in measured.x_train}, "validation images must not be trained on"


def test_the_explorer_feeds_the_depth_experiment_check(trained_explorer):
    best = max(trained_explorer.runs, key=lambda run: run.scores["knn_accuracy"])
    assert nb04.check_depth_experiment(trained_explorer, best.number).passed
    other = next(run for run in trained_explorer.runs if run is not best)
    assert not nb04.check_depth_experiment(trained_explorer, other.number).passed


def test_explorer_trains_nothing_on_impossible_input(tiny_mnist):
    explorer = depth_explorer.DepthExplorer(tiny_mnist, epochs=1, max_train_images=200)
    explorer.sizes.value = "32, zero"
    assert "not 'zero'" in explorer.architecture.value
    assert explorer.run() is None and explorer.runs == []
    assert "Not trained" in explorer.status.value
    explorer.layers.value = 40
    explorer.train_button.click()
    assert explorer.runs == [] and "impossible" in explorer.status.value


def test_a_failed_training_is_a_message_and_the_button_works_again(tiny_mnist, monkeypatch, capsys):
    def diverge(*args, **kwargs):
        raise FloatingPointError("the loss became NaN")

    monkeypatch.setattr(training, "train", diverge)
    explorer = depth_explorer.DepthExplorer(tiny_mnist, epochs=1, max_train_images=200)
    assert explorer.run(hidden_units=(10,)) is None
    assert "Training stopped: FloatingPointError: the loss became NaN" in explorer.status.value
    assert not explorer.train_button.disabled and explorer.runs == []
    assert capsys.readouterr().out == ""


def test_training_prints_nothing(tiny_mnist, capsys):
    explorer = depth_explorer.DepthExplorer(tiny_mnist, epochs=1, max_train_images=100)
    capsys.readouterr()
    assert explorer.run(hidden_units=(10,), latent_activation="tanh") is not None
    captured = capsys.readouterr()
    assert captured.out == "" and "retracing" not in captured.err
    assert explorer.runs[0].latent_activation == "tanh"


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"data": "mnist"}, "load_mnist"),
        ({"epochs": 0}, "epochs must be"),
        ({"epochs": 2.5}, "epochs must be"),
        ({"latent_activation": "softmax"}, "latent_activation must be"),
        ({"hidden_units": (0,)}, "at least 1 unit"),
        ({"max_train_images": 0}, "max_train_images"),
    ],
)
def test_explorer_refuses_impossible_settings(tiny_mnist, arguments, message):
    with pytest.raises(ValueError, match=message):
        depth_explorer.DepthExplorer(**{"data": tiny_mnist, **arguments})


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"hidden_units": (10,), "latent_activation": "softmax"}, "latent_activation must be one of linear, relu, tanh"),
        ({"epochs": 1000}, "epochs must be"),
        ({"epochs": 10**400}, "epochs must be"),
        ({"epochs": float("nan")}, "epochs must be"),
        ({"epochs": "5"}, "epochs must be"),
        ({"epochs": True}, "epochs must be"),
        ({"latent_activation": ""}, "latent_activation must be"),
        ({"latent_activation": ["relu"]}, "latent_activation must be"),
        ({"latent_activation": np.array(["relu", "tanh"])}, "latent_activation must be"),
        ({"hidden_units": 5}, "hidden_units must be a list"),
        ({"hidden_units": np.array(32)}, "hidden_units must be a list"),
        ({"hidden_units": [[32, 10]]}, "hidden_units must be a list"),
        ({"hidden_units": {32: 10}}, "hidden_units must be a list"),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_run_explains_impossible_settings_before_touching_the_controls(recording_explorer, arguments, message):
    explorer = recording_explorer
    assert explorer.run(**arguments) is None
    assert message in explorer.status.value and "Not trained" in explorer.status.value
    assert len(explorer.status.value) < 400
    assert explorer.sizes.value == "32, 10" and explorer.epochs.value == 1 and explorer.activation.value == "linear"
    assert explorer.trained == [] and explorer.runs == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("32,,10", "a comma with no size"),
        ("1e3", "not '1e3'"),
        ("-5", "-5 units"),
        ("nan", "not nan"),
        (str(10**400), "too long"),
        ("9" * 5000, "too long"),
    ],
    ids=["double comma", "1e3", "-5", "nan", "10**400", "5000 nines"],
)
def test_odd_sizes_are_explained_and_never_trained(recording_explorer, text, message):
    explorer = recording_explorer
    explorer.sizes.value = text
    assert message in explorer.architecture.value
    explorer.train_button.click()
    assert "Not trained" in explorer.status.value and explorer.trained == []
    assert explorer.run(hidden_units=text) is None and explorer.trained == []
    explorer.sizes.value = "32, 10"


def test_run_reads_text_sizes_full_width_digits_and_numpy_numbers(recording_explorer):
    explorer = recording_explorer
    explorer.run(hidden_units="１０", epochs=np.int64(2), latent_activation=np.str_("tanh"))
    assert explorer.trained == [((10,), "tanh", 2)]
    explorer.trained.clear()
    explorer.run(hidden_units=np.array([32, 10]), epochs=1, latent_activation="linear")
    assert explorer.trained == [((32, 10), "linear", 1)]
    explorer.trained.clear()


def test_the_progress_callback_counts_epochs():
    import ipywidgets

    bar = ipywidgets.IntProgress()
    callback = depth_explorer.EpochProgress(bar)
    callback.set_params({"epochs": 4})
    callback.on_train_begin()
    assert (bar.value, bar.max, bar.description) == (0, 4, "epoch 0/4")
    for epoch in range(4):
        callback.on_epoch_end(epoch)
    assert (bar.value, bar.description) == (4, "epoch 4/4")


def _bold_cells(table_html: str) -> set[tuple[int, str]]:
    """``(row, column name)`` of every cell the table's CSS makes bold."""
    style = table_html.split("</style>")[0]
    bold = set()
    for selectors, props in re.findall(r"([^{}]+)\{([^}]*)\}", style):
        if "font-weight: bold" in props or "font-weight:bold" in props:
            for row, column in re.findall(r"_row(\d+)_col(\d+)", selectors):
                bold.add((int(row), depth_explorer.RUN_COLUMNS[int(column)]))
    return bold


def test_the_runs_table_shows_the_best_value_of_each_measure_in_bold():
    scores = [
        {"knn_accuracy": 0.40, "trustworthiness": 0.90, "silhouette": 0.10, "bce": 0.20},
        {"knn_accuracy": 0.55, "trustworthiness": 0.80, "silhouette": -0.10, "bce": 0.25},
    ]
    runs = [
        depth_explorer.ExplorerRun(number, hidden, "linear", 3, models.expected_parameter_count(hidden), score)
        for number, hidden, score in zip((1, 2), ((), (32, 10)), scores)
    ]
    table = depth_explorer.runs_table_html(runs, "test")
    assert _bold_cells(table) == {(1, "knn_accuracy"), (0, "trustworthiness"), (0, "silhouette"), (0, "bce")}
    assert "<code>784-32-10-2-10-32-784</code>" in table and "51,726" in table and "0.550" in table
    assert "<script" not in table, "the snapshot must render without JavaScript"


def test_explorer_gives_its_instructions_and_controls_but_no_run_as_static_text(trained_explorer):
    text = trained_explorer.static_text()
    assert text.startswith("Depth explorer.") and "code activation: one of linear, relu, tanh, sigmoid" in text
    assert "epochs: a whole number from 1 to 100" in text and "Train: trains a model" in text
    assert "Run 1" not in text and "Your runs" not in text and "knn_accuracy" not in text
    assert widgets.LIVE_NOTE not in trained_explorer.static_html()
