"""The latent decoder widget, driven as a student would: choose a model, move the sliders, look at the digit."""

import numpy as np
import pytest

from course_utils import models, plots, training
from course_utils.exercises import latent_decoder, widgets

pytestmark = pytest.mark.backend

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PNG = b"\x89PNG"


@pytest.fixture(scope="module")
def tiny(small_mnist):
    """Two untrained models, their codes of 200 training images and the digits of those images."""
    images, labels = small_mnist.x_train[:200], small_mnist.y_train[:200]
    built = {
        "one layer": models.build_autoencoder((), seed=0, name="one_layer"),
        "three layers": models.build_autoencoder((8, 4), seed=1, name="three_layers"),
    }
    codes = {name: training.encode(model, images) for name, model in built.items()}
    codes["three layers"] = codes["three layers"] * 10 + 50  # a range far from the first model's
    return built, codes, labels


@pytest.fixture
def widget(tiny):
    built, codes, labels = tiny
    return latent_decoder.LatentDecoder(built, codes, labels)


def test_it_starts_at_the_middle_of_the_first_models_codes_with_both_pictures(widget, tiny):
    _, codes, _ = tiny
    low, high = latent_decoder.code_range(codes["one layer"])
    assert widget.model.value == "one layer"
    assert (widget.first.min, widget.first.max) == pytest.approx((low[0], high[0]))
    assert (widget.second.min, widget.second.max) == pytest.approx((low[1], high[1]))
    assert widget.code == pytest.approx(tuple(np.median(codes["one layer"], axis=0)), abs=0.01)
    assert bytes(widget.latent_image.value[:4]) == PNG and bytes(widget.digit_image.value[:4]) == PNG
    assert "one layer decodes" in widget.code_text.value and widget.status.value == ""


def test_the_sliders_span_the_middle_of_the_codes_as_the_decoder_grid_does(tiny):
    _, codes, _ = tiny
    grid = plots.latent_grid(codes["one layer"])
    low, high = latent_decoder.code_range(codes["one layer"])
    assert low.tolist() == pytest.approx(grid.min(axis=0).tolist())
    assert high.tolist() == pytest.approx(grid.max(axis=0).tolist())


def test_moving_a_slider_decodes_the_new_code_once_and_redraws(widget, tiny, monkeypatch):
    built, _, _ = tiny
    calls = []
    decode = widget.decoders["one layer"]
    monkeypatch.setitem(widget.decoders, "one layer", lambda codes: calls.append(codes.copy()) or decode(codes))
    latent_before, digit_before = bytes(widget.latent_image.value), bytes(widget.digit_image.value)
    widget.first.value = widget.first.max
    assert len(calls) == 1 and calls[0].shape == (1, 2), "one decoder call per move"
    assert bytes(widget.latent_image.value) != latent_before, "the marker moved"
    assert bytes(widget.digit_image.value) != digit_before, "another code, another digit"
    expected = training.decode(built["one layer"], np.array([[widget.first.value, widget.second.value]]))
    np.testing.assert_allclose(widget.decoded, expected[0], atol=1e-5)
    assert f"{widget.first.max:.2f}" in widget.code_text.value


def test_move_to_sets_both_numbers_of_the_code(widget):
    first = (widget.first.min + widget.first.max) / 3
    second = widget.second.min
    widget.move_to(first, second)
    assert widget.code == (round(first, 2), round(second, 2))
    assert f"({first:.2f}, {second:.2f})" in widget.snapshot_html()


def test_choosing_another_model_moves_the_sliders_to_its_codes(widget, tiny):
    _, codes, _ = tiny
    widget.choose("three layers")
    low, high = latent_decoder.code_range(codes["three layers"])
    assert (widget.first.min, widget.first.max) == pytest.approx((low[0], high[0]))
    assert (widget.second.min, widget.second.max) == pytest.approx((low[1], high[1]))
    assert low[0] <= widget.first.value <= high[0] and low[1] <= widget.second.value <= high[1]
    assert "three layers decodes" in widget.code_text.value
    widget.choose("one layer")  # and back, to a range below the current one
    assert widget.first.max == pytest.approx(latent_decoder.code_range(codes["one layer"])[1][0])


def test_a_decoder_that_fails_shows_a_message_not_a_traceback(widget, monkeypatch, capsys):
    def broken(codes):
        raise RuntimeError("the decoder broke")

    monkeypatch.setitem(widget.decoders, "one layer", broken)
    widget.first.value = widget.first.min
    assert "Could not decode this code: RuntimeError: the decoder broke" in widget.status.value
    assert capsys.readouterr().err == ""


def test_it_shows_a_header_a_live_note_and_a_static_snapshot(widget):
    assert "Latent decoder" in widget.header_html() and "running notebook" in widget.header_html()
    bundle = widget.mimebundle()
    assert WIDGET_VIEW in bundle and "Model one layer, code" in bundle["text/html"]
    assert bundle["text/plain"].startswith("Model one layer, code")


def test_a_function_decodes_as_well_as_a_model(tiny):
    _, codes, labels = tiny
    widget = latent_decoder.LatentDecoder(
        {"grey": lambda points: np.full((len(points), 784), 0.5)}, {"grey": codes["one layer"]}, labels
    )
    assert widget.decoded.tolist() == [0.5] * 784


def test_the_digit_picture_is_dark_ink_on_white_and_enlarged():
    from io import BytesIO

    from matplotlib import image as mpimg

    image = np.zeros(784)
    image[0] = 1.0  # one inked pixel in the top left corner
    picture = mpimg.imread(BytesIO(latent_decoder.digit_png(image, zoom=5)), format="png")
    assert picture.shape[:2] == (140, 140)
    assert picture[0, 0, :3].tolist() == [0, 0, 0] and picture[4, 4, :3].tolist() == [0, 0, 0]
    assert picture[5, 5, :3].tolist() == [1, 1, 1]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda built, codes: ({}, codes), "at least one model"),
        (lambda built, codes: (built, {"one layer": codes["one layer"]}), "no codes for 'three layers'"),
        (lambda built, codes: (built, {**codes, "one layer": codes["one layer"][:5]}), "must have shape"),
        (lambda built, codes: (built, {**codes, "one layer": np.full_like(codes["one layer"], np.nan)}), "NaN"),
        (lambda built, codes: ({**built, "one layer": "Autoencoder_1"}, codes), "cannot decode with str"),
    ],
)
def test_impossible_inputs_are_refused_with_what_to_pass(tiny, change, message):
    built, codes, labels = tiny
    chosen_models, chosen_codes = change(built, codes)
    with pytest.raises(ValueError, match=message):
        latent_decoder.LatentDecoder(chosen_models, chosen_codes, labels)


def test_it_gives_its_instructions_and_controls_but_no_code_as_static_text(widget):
    text = widget.static_text()
    assert text.startswith("Latent decoder.") and "model: one of one layer, three layers; starts at one layer" in text
    assert "code number 1: a slider over the middle 98% of the chosen model's codes" in text
    first, second = widget.code
    assert f"{first:.2f}" not in text and "decodes" not in text and widgets.LIVE_NOTE not in widget.static_html()
