"""The architecture builder, driven as a student would: type sizes and layer counts, read the table."""

import numpy as np
import pytest

from course_utils import models
from course_utils.exercises import architecture_builder, widgets

pytestmark = pytest.mark.backend

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def builder():
    return architecture_builder.ArchitectureBuilder()


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
        architecture_builder.ArchitectureBuilder([0])


@pytest.mark.parametrize("name", models.ARTICLE_HIDDEN_UNITS)
def test_the_layer_table_shows_the_layers_keras_builds(name):
    builder = architecture_builder.ArchitectureBuilder(models.ARTICLE_HIDDEN_UNITS[name])
    shown = [line.split() for line in builder.snapshot_text().splitlines()[1:]]
    built = models.layer_table(models.build_article_model(name)).astype(object)
    expected = [[f"{value:,}" if isinstance(value, int) else value for value in row if value != ""] for row in built.values]
    assert shown == [list(built.columns), *expected]
    assert "tr:last-child {\n  font-weight: bold;" in builder.table.value, "the total is in bold"


def test_builder_renders_statically(builder):
    header = builder.header_html()
    for name, count in models.ARTICLE_PARAMETER_COUNTS.items():
        assert name in header and f"{count:,}" in header
    bundle = builder.mimebundle()
    assert WIDGET_VIEW in bundle and "51,726" in bundle["text/html"] and "latent" in bundle["text/plain"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("32,,10", "a comma with no size on one side"),
        ("32, 10,", "a comma with no size on one side"),
        ("1e3", "not '1e3'"),
        ("-5", "-5 units"),
        ("nan", "not nan"),
        ("²", "not '²'"),
        (str(10**100), "use at most 1,024"),
        (str(10**400), "too long"),
        ("9" * 5000, "too long"),
        ("784-" + "9" * 5000 + "-2-" + "9" * 5000 + "-784", "too long"),
        ("8 " * 200, "too long"),
        ("0x10", "not '0x10'"),
    ],
    ids=[
        "double comma",
        "trailing comma",
        "1e3",
        "-5",
        "nan",
        "superscript",
        "10**100",
        "10**400",
        "5000 nines",
        "long",
        "many",
        "hex",
    ],
)
def test_builder_explains_odd_text(builder, text, message):
    builder.sizes.value = text
    assert message in builder.message.value and builder.hidden_units is None
    assert len(builder.message.value) < 400, "a message never repeats a huge input in full"
    assert builder.snapshot_text()


def test_builder_reads_full_width_digits(builder):
    builder.sizes.value = "３２, １０"
    assert builder.hidden_units == (32, 10) and builder.matched == "Autoencoder_3"


@pytest.mark.parametrize("layers", [10**400, -(10**400), 2**63], ids=["10**400", "-10**400", "2**63"])
def test_builder_explains_a_huge_number_of_layers(builder, layers):
    builder.layers.value = layers
    assert "impossible" in builder.message.value and len(builder.message.value) < 300


@pytest.mark.parametrize("hidden", [None, 5, "32, 10", [[32]], np.array(32)], ids=repr)
def test_builder_refuses_an_odd_start_with_a_value_error(hidden):
    if isinstance(hidden, str):
        assert architecture_builder.ArchitectureBuilder(hidden).hidden_units == (32, 10)
        return
    with pytest.raises(ValueError, match="hidden_units|whole number"):
        architecture_builder.ArchitectureBuilder(hidden)


def test_builder_gives_its_instructions_and_controls_as_static_text(builder):
    text = builder.static_text()
    assert text.startswith("Architecture builder.") and "Autoencoder_3  784-32-10-2-10-32-784  51,726" in text
    assert "hidden layers (with the code): a whole number from 1 (the code alone) to" in text
    assert "sizes before the code: sizes separated by commas; starts at 32, 10" in text
    assert widgets.LIVE_NOTE not in builder.static_html() and "parameters</strong>" not in builder.static_html()
