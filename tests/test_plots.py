import re

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_utils import plots


@pytest.fixture
def images(rng):
    return rng.random((10, 784)).astype("float32")


def _titles(figure: Figure) -> str:
    return figure.get_suptitle() or " ".join(axes.get_title() for axes in figure.axes)


def test_digit_grid_has_title_and_labels(images):
    figure = plots.show_digits(images, labels=list(range(10)), title="Ten digits")
    assert isinstance(figure, Figure)
    assert figure.get_suptitle() == "Ten digits"
    assert [axes.get_title() for axes in figure.axes[:3]] == ["0", "1", "2"]


def test_digit_grid_wraps_into_rows(images):
    assert len(plots.show_digits(images[:7], columns=5).axes) == 10


def test_reconstructions_put_originals_on_top(images):
    figure = plots.show_reconstructions(images, images[::-1])
    assert len(figure.axes) == 20
    assert figure.axes[0].get_ylabel() == "original"
    assert figure.axes[10].get_ylabel() == "reconstruction"
    np.testing.assert_allclose(figure.axes[0].images[0].get_array(), images[0].reshape(28, 28))


def test_comparison_has_one_row_per_model(images):
    figure = plots.plot_comparison(images[:4], {"A": images[:4], "B": images[:4], "C": images[:4]})
    assert len(figure.axes) == 16
    assert [figure.axes[row * 4].get_ylabel() for row in range(4)] == ["original", "A", "B", "C"]
    assert figure.get_suptitle()


def test_comparison_refuses_mismatched_rows(images):
    with pytest.raises(ValueError, match="has 3 images but there are 4 originals"):
        plots.plot_comparison(images[:4], {"A": images[:3]})


def test_latent_space_has_axis_labels_and_a_legend_of_ten_digits(rng):
    codes = rng.normal(size=(200, 2))
    labels = np.arange(200) % 10
    figure = plots.plot_latent_space(codes, labels, title="Latent")
    axes = figure.axes[0]
    assert axes.get_xlabel() == "latent dimension 1" and axes.get_ylabel() == "latent dimension 2"
    assert axes.get_title() == "Latent"
    assert [text.get_text() for text in axes.get_legend().get_texts()] == [str(digit) for digit in range(10)]


def test_latent_space_refuses_codes_that_are_not_2d(rng):
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        plots.plot_latent_space(rng.normal(size=(10, 3)), np.zeros(10))


def test_latent_spaces_side_by_side(rng):
    labels = np.arange(50) % 10
    figure = plots.plot_latent_spaces({"A": rng.normal(size=(50, 2)), "B": rng.normal(size=(50, 2))}, labels)
    assert [axes.get_title() for axes in figure.axes] == ["A", "B"]


def test_history_plot_names_both_curves():
    figure = plots.plot_history({"loss": [0.3, 0.2], "val_loss": [0.31, 0.25]})
    axes = figure.axes[0]
    assert [line.get_label() for line in axes.get_lines()] == ["training", "validation"]
    assert axes.get_xlabel() == "epoch" and "loss" in axes.get_ylabel()


def test_histories_side_by_side_mark_the_best_epoch():
    runs = {"A": {"loss": [0.3, 0.2, 0.1], "val_loss": [0.3, 0.25, 0.27]}, "B": {"loss": [0.3, 0.2]}}
    figure = plots.plot_histories(runs)
    assert [axes.get_title() for axes in figure.axes] == ["A", "B"]
    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    assert labels == ["training", "validation", "best epoch (2)"]


def _summary():
    rows = [{"model": f"Autoencoder_{depth}", "depth": depth} for depth in (1, 2, 3)]
    rows.append({"model": "PCA (2-D)", "depth": 0})
    for number, row in enumerate(rows):
        for measure in ("bce", "mse", "knn", "trust", "silhouette"):
            row[f"{measure}_mean"], row[f"{measure}_sd"] = 0.1 * number, 0.01
    return rows


def test_measures_by_depth_go_into_rows_with_the_legend_in_the_free_place():
    measures = ("bce", "mse", "knn", "trust", "silhouette")
    figure = plots.plot_measures_by_depth(_summary(), measures, baseline="PCA (2-D)", lower_is_better=("bce", "mse"))
    panels = [axes for axes in figure.axes if axes.axison]
    titles = ["bce (lower is better)", "mse (lower is better)", "knn", "trust", "silhouette"]
    assert [axes.get_title() for axes in panels] == titles
    assert [axes.get_subplotspec().rowspan.start for axes in panels] == [0, 0, 1, 1, 2], "two to a row"
    spare = [axes for axes in figure.axes if not axes.axison]
    assert len(spare) == 1
    assert [text.get_text() for text in spare[0].get_legend().get_texts()] == ["PCA (2-D)", "autoencoder"]
    assert list(panels[0].get_xticks()) == [1, 2, 3]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5])
def test_every_figure_fits_the_books_text_column(rng, images, count):
    """At most MAX_WIDTH inches, and its SVG's smallest text readable on a phone (PHONE_COLUMN_PX)."""
    names = [f"model {number}" for number in range(count)]
    labels = np.arange(50) % 10
    figures = [
        plots.plot_latent_spaces({name: rng.normal(size=(50, 2)) for name in names}, labels),
        plots.plot_histories({name: {"loss": [0.3, 0.2], "val_loss": [0.3, 0.25]} for name in names}),
        plots.plot_measures_by_depth(_summary(), ("bce", "mse", "knn", "trust", "silhouette")[:count]),
        plots.plot_comparison(images, {name: images for name in names}),
        plots.show_digits(images),
        plots.plot_latent_space(rng.normal(size=(50, 2)), labels),
    ]
    for figure in figures:
        assert figure.get_figwidth() <= plots.MAX_WIDTH
        svg = plots.svg(figure)
        width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg)[1]) / 72  # points to inches
        sizes = [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)]
        assert sizes, "the SVG keeps its text as text"
        assert plots.smallest_text_px(width, min(sizes)) >= plots.MIN_TEXT_PX, (figure.get_suptitle(), width, min(sizes))


def test_a_narrow_figure_keeps_its_own_size_on_a_phone():
    assert plots.smallest_text_px(3.0, 9) == pytest.approx(12.0)
    assert plots.smallest_text_px(plots.MAX_WIDTH) >= plots.MIN_TEXT_PX


def test_the_svg_is_the_same_on_every_run(rng):
    figure = plots.plot_latent_space(rng.normal(size=(50, 2)), np.arange(50) % 10)
    assert plots.svg(figure) == plots.svg(figure)
    assert "<dc:date>" not in plots.svg(figure)


def test_three_latent_spaces_make_two_rows_with_the_legend_in_the_fourth_place(rng):
    labels = np.arange(50) % 10
    figure = plots.plot_latent_spaces({name: rng.normal(size=(50, 2)) for name in "ABC"}, labels)
    panels = [axes for axes in figure.axes if axes.axison]
    assert [axes.get_title() for axes in panels] == ["A", "B", "C"]
    legend = next(axes for axes in figure.axes if not axes.axison).get_legend()
    assert [text.get_text() for text in legend.get_texts()] == [str(digit) for digit in range(10)]


def test_the_latent_grid_spans_the_middle_of_the_codes_like_the_scatter_plot():
    codes = np.column_stack([np.linspace(0, 100, 101), np.linspace(-50, 50, 101)])
    grid = plots.latent_grid(codes, steps=3, coverage=0.98)
    assert grid.shape == (9, 2)
    assert grid[0].tolist() == pytest.approx([1, 49])  # top left: lowest dimension 1, highest dimension 2
    assert grid[-1].tolist() == pytest.approx([99, -49])
    assert grid[1, 0] > grid[0, 0] and grid[3, 1] < grid[0, 1]


@pytest.mark.parametrize("codes", [np.zeros((5, 3)), np.zeros((1, 2)), np.zeros(4)])
def test_the_latent_grid_refuses_codes_that_are_not_two_numbers(codes):
    with pytest.raises(ValueError, match="shape"):
        plots.latent_grid(codes)


def test_the_decoder_grid_puts_each_decoded_digit_at_its_code():
    def decode(points):  # a digit that is dark where dimension 1 is positive, beyond [0, 1] for PCA-like decoders
        return np.repeat(np.where(points[:, :1] > 0, 2.0, -1.0), 784, axis=1)

    codes = np.column_stack([np.linspace(-1, 1, 50), np.linspace(-1, 1, 50)])
    picture = plots.decoder_grid(decode, codes, steps=4)
    assert picture.shape == (4 * 28, 4 * 28)
    assert picture.min() == 0.0 and picture.max() == 1.0  # clipped
    assert picture[:, : 2 * 28].max() == 0.0 and picture[:, 2 * 28 :].min() == 1.0  # left half negative codes


def test_the_decoder_grids_figure_has_one_picture_per_model():
    codes = np.random.default_rng(0).normal(size=(100, 2))
    decoders = {name: (lambda points: np.full((len(points), 784), 0.5), codes) for name in ("PCA", "a", "b", "c")}
    figure = plots.plot_decoder_grids(decoders, steps=5)
    shown = [axes for axes in figure.axes if axes.images]
    assert [axes.get_title() for axes in shown] == list(decoders)
    assert shown[0].images[0].get_array().shape == (5 * 28, 5 * 28)
    assert figure.get_size_inches()[0] <= plots.MAX_WIDTH


def test_the_digit_palette_has_ten_distinct_colours():
    from matplotlib.colors import to_rgb

    colours = [to_rgb(colour) for colour in plots.DIGIT_COLOURS]
    assert len(colours) == 10 and len(set(colours)) == 10


def _digit_labels(axes) -> dict[str, tuple[float, float]]:
    """The digits written on a plot (single characters 0 to 9) and where."""
    return {text.get_text(): text.get_position() for text in axes.texts if text.get_text() in "0123456789"}


def test_a_latent_plot_writes_each_digit_at_the_median_of_its_codes(rng):
    labels = np.arange(300) % 10
    codes = rng.normal(size=(300, 2)) + labels[:, None] * 3.0
    codes[0] = (1e6, -1e6)  # one far-out code must not pull its digit's label away (a mean would)
    written = _digit_labels(plots.plot_latent_space(codes, labels).axes[0])
    assert sorted(written) == [str(digit) for digit in range(10)]
    for digit in range(10):
        assert written[str(digit)] == pytest.approx(tuple(np.median(codes[labels == digit], axis=0)))
    assert abs(written["0"][0]) < 10, "the label sits at the median, not the mean"


def test_the_digit_labels_are_bold_and_outlined_to_read_without_colour(rng):
    labels = np.arange(50) % 10
    axes = plots.plot_latent_space(rng.normal(size=(50, 2)), labels).axes[0]
    text = next(text for text in axes.texts if text.get_text() == "7")
    assert text.get_fontweight() == "bold" and text.get_path_effects()


def test_side_by_side_latent_plots_write_the_digits_present_in_every_panel(rng):
    labels = np.array([1, 3, 3, 8] * 10)
    figure = plots.plot_latent_spaces({"A": rng.normal(size=(40, 2)), "B": rng.normal(size=(40, 2))}, labels)
    for axes in figure.axes[:2]:
        assert sorted(_digit_labels(axes)) == ["1", "3", "8"]


def test_digit_medians_are_the_median_code_of_each_digit():
    codes = np.array([[0.0, 0.0], [1.0, 1.0], [10.0, 10.0], [5.0, -5.0]])
    medians = plots.digit_medians(codes, np.array([2, 2, 2, 7]))
    assert sorted(medians) == [2, 7]
    assert medians[2].tolist() == [1.0, 1.0] and medians[7].tolist() == [5.0, -5.0]
