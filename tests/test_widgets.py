"""The exercise widgets, driven as a student would: set values, press buttons, read the feedback."""

import pytest

from course_utils import exercises, models, training, widgets
from course_utils.data import MnistData

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


# ---------------------------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def numeric():
    return exercises.dense_layer_question()


@pytest.fixture
def choice():
    return exercises.latent_point_question()


def test_numeric_question_right_answer(numeric):
    numeric.input.value = "25,120"
    numeric.button.click()
    assert numeric.correct is True
    assert "Right." in numeric.feedback.value and "784 × 32 weights + 32 biases" in numeric.feedback.value
    assert numeric.submit("25120") and numeric.correct


@pytest.mark.parametrize(
    "answer, message",
    [
        ("25088", "weights only"),
        ("25872", "one bias per unit (32), not one per input"),
        ("816", "multiply 784 × 32"),
        ("25905", "not (784 + 1) × (32 + 1)"),
        ("30000", "too high. Each of the 32 units"),
        ("100", "too low"),
    ],
)
def test_numeric_question_wrong_answers_get_specific_feedback(numeric, answer, message):
    assert message in numeric.submit(answer)
    assert numeric.correct is False
    assert "Not yet." in numeric.feedback.value and widgets.WRONG_COLOUR in numeric.feedback.value


@pytest.mark.parametrize(
    "answer, message", [("", "Type your answer"), ("   ", "Type your answer"), ("lots", "not a number")]
)
def test_numeric_question_bad_input_is_a_message(numeric, answer, message):
    assert message in numeric.submit(answer)
    assert numeric.correct is None and "Not yet" not in numeric.feedback.value


def test_a_failing_check_is_a_message_not_a_traceback(numeric, monkeypatch):
    def broken(value):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(numeric, "assess", broken)
    numeric.submit("1")
    assert "Could not check this answer (boom)" in numeric.feedback.value


def test_multiple_choice_needs_a_choice_first(choice):
    choice.button.click()
    assert choice.correct is None and "Choose one of the answers first" in choice.feedback.value


def test_multiple_choice_every_choice_has_its_own_feedback(choice):
    messages = set()
    for option in choice.choices:
        messages.add(choice.submit(option))
        assert choice.correct is (option == choice.answer)
    assert len(messages) == len(choice.choices)
    choice.submit("One pixel of an image")
    assert "one of the 784 inputs" in choice.feedback.value
    choice.submit(choice.answer)
    assert "Right." in choice.feedback.value and "never saw" in choice.feedback.value


def test_multiple_choice_refuses_an_answer_that_is_not_a_choice():
    with pytest.raises(ValueError, match="not one of the choices"):
        widgets.MultipleChoice("?", {"a": "", "b": ""}, answer="c")
    with pytest.raises(ValueError, match="at least two"):
        widgets.MultipleChoice("?", {"a": ""}, answer="a")


def test_questions_render_statically(numeric, choice):
    assert "784 inputs to 32 units" in numeric.header_html() and "Exercise 2.3a" in numeric.header_html()
    for question in (numeric, choice):
        bundle = question.mimebundle()
        assert WIDGET_VIEW in bundle and bundle["text/html"] and bundle["text/plain"]
    assert all(option in choice.mimebundle()["text/html"] for option in choice.choices)
    assert "what is one point" in choice.header_html()


def test_display_shows_a_static_header_beside_the_live_widget(choice):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as captured:
        display(choice)
    header, live = captured.outputs
    assert "what is one point" in header.data["text/html"] and WIDGET_VIEW not in header.data
    assert WIDGET_VIEW in live.data and "One pixel of an image" in live.data["text/html"]


# ---------------------------------------------------------------------------------------------
# The architecture builder
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def builder():
    return widgets.ArchitectureBuilder()


def test_builder_starts_at_autoencoder_3(builder):
    assert builder.layers.value == 3 and builder.sizes.value == "32, 10"
    assert builder.matched == "Autoencoder_3" and builder.parameter_count == 51_726
    assert "51,726 parameters" in builder.summary.value and "Autoencoder_3" in builder.summary.value
    assert "encoder_hidden_1" in builder.table.value and "25,120" in builder.table.value
    assert builder.message.value == ""


def test_builder_follows_the_number_of_layers(builder):
    builder.layers.value = 2
    assert builder.sizes.value == "10" and builder.matched == "Autoencoder_2" and builder.parameter_count == 16_526
    builder.layers.value = 1
    assert builder.sizes.value == "" and builder.matched == "Autoencoder_1" and "3,922" in builder.summary.value
    builder.layers.value = 3
    assert builder.sizes.value == "20, 10" and builder.matched is None
    assert "Not one of the article's models" in builder.summary.value


def test_builder_follows_typed_sizes(builder):
    builder.sizes.value = "64 32 10"
    assert builder.layers.value == 4 and builder.hidden_units == (64, 32, 10)
    assert builder.parameter_count == models.build_autoencoder([64, 32, 10]).count_params()
    builder.sizes.value = "[10]"
    assert builder.matched == "Autoencoder_2"
    builder.sizes.value = "784-32-10-2-10-32-784"
    assert builder.matched == "Autoencoder_3"


@pytest.mark.parametrize(
    "control, value, message",
    [
        ("sizes", "0, 10", "has 0 units; every layer needs at least 1 unit"),
        ("sizes", "32, -4", "hidden layer 2 has -4 units"),
        ("sizes", "abc", "must be a whole number of units such as 10, not 'abc'"),
        ("sizes", "ten, 2", "not 'ten'"),
        ("sizes", "3.5", "not 3.5"),
        ("sizes", "5000", "use at most 1,024"),
        ("sizes", ", ".join(["8"] * 12), "this course goes up to 11"),
        ("sizes", "784-32-2-10-784", "not a mirrored"),
        ("layers", 0, "0 hidden layers is impossible"),
        ("layers", -2, "impossible"),
        ("layers", 50, "choose 1 (the code alone) to 11"),
    ],
)
def test_builder_explains_impossible_input(builder, control, value, message):
    getattr(builder, control).value = value
    assert message in builder.message.value
    assert builder.hidden_units is None and builder.parameter_count is None and builder.matched is None
    assert message.split(";")[0] in builder.snapshot_html()
    if control == "sizes":
        builder.sizes.value = "32, 10"
    else:
        builder.layers.value = 3
    assert builder.message.value == "" and builder.matched == "Autoencoder_3"


def test_changing_layers_while_sizes_are_impossible_says_to_fix_the_sizes(builder):
    builder.sizes.value = "abc"
    builder.layers.value = 2
    assert "Fix the sizes first" in builder.message.value


def test_builder_rejects_an_impossible_start():
    with pytest.raises(ValueError, match="at least 1 unit"):
        widgets.ArchitectureBuilder([0])


@pytest.mark.parametrize("name", models.ARTICLE_HIDDEN_UNITS)
def test_layer_rows_agree_with_the_keras_layer_table(name):
    hidden = models.ARTICLE_HIDDEN_UNITS[name]
    table = models.layer_table(models.build_article_model(name))
    rows = widgets.layer_rows(hidden)
    for part, layer, units, activation, parameters in rows:
        assert any(
            line.split()[:5] == [part, layer, str(units), activation, f"{parameters:,}"] for line in table.splitlines()
        ), (layer, table)
    assert sum(row[-1] for row in rows) == models.ARTICLE_PARAMETER_COUNTS[name]


def test_builder_renders_statically(builder):
    header = builder.header_html()
    for name, count in models.ARTICLE_PARAMETER_COUNTS.items():
        assert name in header and f"{count:,}" in header
    bundle = builder.mimebundle()
    assert WIDGET_VIEW in bundle and "51,726" in bundle["text/html"] and "latent" in bundle["text/plain"]


# ---------------------------------------------------------------------------------------------
# The depth explorer
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_mnist(offline_mnist):
    return MnistData(
        offline_mnist.x_train[:300], offline_mnist.y_train[:300], offline_mnist.x_test[:100],
        offline_mnist.y_test[:100], "subset", "tiny test slice",
    )


@pytest.fixture(scope="module")
def trained_explorer(tiny_mnist):
    """An explorer with two one-epoch runs, 784-2-784 and Autoencoder_3."""
    explorer = widgets.DepthExplorer(tiny_mnist, epochs=1, max_train_images=200)
    explorer.run(hidden_units=())
    explorer.run(hidden_units=(32, 10))
    return explorer


def test_explorer_starts_with_instructions_and_an_empty_table(tiny_mnist):
    explorer = widgets.DepthExplorer(tiny_mnist, epochs=3, max_train_images=200)
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
    assert table.count("<tr><td>") == 2 and "784-2-784" in table and "<b>" in table
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
    assert exercises.check_depth_experiment(trained_explorer, best.number).passed
    other = next(run for run in trained_explorer.runs if run is not best)
    assert not exercises.check_depth_experiment(trained_explorer, other.number).passed


def test_explorer_trains_nothing_on_impossible_input(tiny_mnist):
    explorer = widgets.DepthExplorer(tiny_mnist, epochs=1, max_train_images=200)
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
    explorer = widgets.DepthExplorer(tiny_mnist, epochs=1, max_train_images=200)
    assert explorer.run(hidden_units=(10,)) is None
    assert "Training stopped: FloatingPointError: the loss became NaN" in explorer.status.value
    assert not explorer.train_button.disabled and explorer.runs == []
    assert capsys.readouterr().out == ""


def test_training_prints_nothing(tiny_mnist, capsys):
    explorer = widgets.DepthExplorer(tiny_mnist, epochs=1, max_train_images=100)
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
        widgets.DepthExplorer(**{"data": tiny_mnist, **arguments})


def test_run_refuses_impossible_settings_before_touching_the_controls(tiny_mnist):
    explorer = widgets.DepthExplorer(tiny_mnist, epochs=1, max_train_images=100)
    with pytest.raises(ValueError, match="latent_activation must be one of linear, relu, tanh, sigmoid"):
        explorer.run(hidden_units=(10,), latent_activation="softmax")
    with pytest.raises(ValueError, match="epochs must be"):
        explorer.run(epochs=1000)
    assert explorer.sizes.value == "32, 10" and explorer.epochs.value == 1 and explorer.runs == []


def test_the_progress_callback_counts_epochs():
    import ipywidgets

    bar = ipywidgets.IntProgress()
    callback = widgets.EpochProgress(bar)
    callback.set_params({"epochs": 4})
    callback.on_train_begin()
    assert (bar.value, bar.max, bar.description) == (0, 4, "epoch 0/4")
    for epoch in range(4):
        callback.on_epoch_end(epoch)
    assert (bar.value, bar.description) == (4, "epoch 4/4")
