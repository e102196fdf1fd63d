"""The latent decoder: pick a point of a model's 2-D latent space and see the digit its decoder makes of it.

``latent_decoder.LatentDecoder(trained, train_codes, y_train)`` in a notebook. Two sliders choose
the code (code number 1 and code number 2) over the middle of the model's codes, a drop-down
chooses the model; each move marks the point on the latent plot and decodes it, with one call of
the decoder.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Mapping

import ipywidgets
import numpy as np
from matplotlib import image as mpimg
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course_utils import plots
from course_utils.backend import keras
from course_utils.exercises.feedback import fix_html
from course_utils.exercises.widgets import FIGURE_DPI, CourseWidget, controls_list_html, field_options, field_row
from course_utils.models import Autoencoder

COVERAGE = 0.98  # the sliders span the middle 98% of the codes, as plots.latent_grid does
SLIDER_STEPS = 200  # positions per slider
DIGIT_ZOOM = 5  # the 28 x 28 decoded digit is shown 140 px wide
SLIDER_WIDTH = "28em"

Decode = Callable[[np.ndarray], np.ndarray]


def decoder_of(model: object) -> Decode:
    """A function from codes ``(n, 2)`` to images ``(n, 784)`` for a course autoencoder, a trained model or a function.

    A Keras decoder is called directly, not through ``predict``: one small call per slider move.

    Raises:
        ValueError: If ``model`` is none of these.
    """
    autoencoder = model if isinstance(model, Autoencoder) else getattr(model, "autoencoder", None)
    decoder = autoencoder.decoder if isinstance(autoencoder, Autoencoder) else None  # a TrainedModel holds one
    if isinstance(decoder, keras.Model):
        return lambda codes: keras.ops.convert_to_numpy(decoder(codes.astype("float32"), training=False))
    if callable(model):
        return model
    raise ValueError(f"cannot decode with {type(model).__name__}: pass trained autoencoders, e.g. trained.")


def code_range(codes: np.ndarray, coverage: float = COVERAGE) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest value of each code number over the middle ``coverage`` of ``codes``."""
    corners = plots.latent_grid(codes, steps=2, coverage=coverage)
    return corners.min(axis=0), corners.max(axis=0)


def digit_png(image: np.ndarray, zoom: int = DIGIT_ZOOM) -> bytes:
    """A flattened image as a PNG, dark ink on white like the course's figures, each pixel ``zoom`` px wide."""
    pixels = np.clip(np.nan_to_num(np.asarray(image, dtype="float64")), 0.0, 1.0).reshape(28, 28)
    enlarged = np.repeat(np.repeat(pixels, zoom, axis=0), zoom, axis=1)
    buffer = io.BytesIO()
    mpimg.imsave(buffer, enlarged, cmap="gray_r", vmin=0.0, vmax=1.0, format="png")
    return buffer.getvalue()


class MarkedPlot:
    """A latent plot drawn once, then only its marker redrawn on each move (Matplotlib blitting).

    Drawing thousands of codes takes a few hundred milliseconds; restoring the saved picture and
    drawing one marker on it takes a few.
    """

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self.axes = figure.axes[0]
        (self.marker,) = self.axes.plot(
            [], [], marker="X", markersize=16, color="black", markeredgecolor="white", linestyle="none", animated=True
        )
        figure.set_dpi(FIGURE_DPI)
        self.canvas = FigureCanvasAgg(figure)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(figure.bbox)

    def png_with_marker(self, first: float, second: float) -> bytes:
        """The plot with the marker at ``(first, second)``, as PNG bytes."""
        self.canvas.restore_region(self.background)
        self.marker.set_data([first], [second])
        self.axes.draw_artist(self.marker)
        buffer = io.BytesIO()
        mpimg.imsave(buffer, np.asarray(self.canvas.buffer_rgba()), format="png")
        return buffer.getvalue()


def _set_range(slider: ipywidgets.FloatSlider, low: float, high: float, value: float) -> None:
    """Give ``slider`` a new range and value; ipywidgets refuses a minimum above the current maximum."""
    if low > slider.max:
        slider.max, slider.min = high, low
    else:
        slider.min, slider.max = low, high
    slider.step = (high - low) / SLIDER_STEPS
    slider.value = value


class LatentDecoder(CourseWidget):
    """Move a point through a model's latent space and watch what its decoder draws there.

    Args:
        models: Model name to a trained autoencoder (``compare.TrainedModel``, ``models.Autoencoder``)
            or a function from codes ``(n, 2)`` to images ``(n, 784)``.
        codes: Model name to the codes plotted and whose middle the sliders span, e.g. the
            training codes.
        labels: The digit of each code.
        model: The model shown first; the first one by default.
    """

    def __init__(
        self,
        models: Mapping[str, object],
        codes: Mapping[str, np.ndarray],
        labels: np.ndarray,
        model: str | None = None,
    ) -> None:
        self.labels = np.asarray(labels)
        self.decoders = {name: decoder_of(found) for name, found in models.items()}
        self.codes = {name: self._checked_codes(name, codes) for name in self.decoders}
        if not self.decoders:
            raise ValueError("LatentDecoder needs at least one model.")
        self._figures: dict[str, MarkedPlot] = {}  # each model's latent plot, drawn once
        self._updating = False
        self.decoded = np.zeros(28 * 28)
        self._make_controls(model or next(iter(self.decoders)))
        self.box = ipywidgets.VBox(
            [
                field_row(self.model),
                field_row(self.first, self.second),
                self.status,
                ipywidgets.HBox([self.latent_image, ipywidgets.VBox([self.digit_image, self.code_text])]),
            ]
        )
        self._model_changed()

    def _checked_codes(self, name: str, codes: Mapping[str, np.ndarray]) -> np.ndarray:
        if name not in codes:
            raise ValueError(f"no codes for {name!r}: give codes for every model ({', '.join(self.decoders)}).")
        found = np.asarray(codes[name], dtype="float64")
        if found.ndim != 2 or found.shape[1] != 2 or len(found) != len(self.labels):
            shape = f"({len(self.labels)}, 2)"
            raise ValueError(f"the codes of {name!r} must have shape {shape}, one per label, not {found.shape}.")
        if not np.isfinite(found).all():
            raise ValueError(f"the codes of {name!r} hold NaN or infinite values: the model diverged.")
        return found

    def _make_controls(self, model: str) -> None:
        self.model = ipywidgets.Dropdown(options=list(self.decoders), value=model, **field_options("model:"))
        sliders = {"continuous_update": True, "readout_format": ".2f", "style": {"description_width": "initial"}}
        layout = {"width": SLIDER_WIDTH}
        self.first = ipywidgets.FloatSlider(description="code number 1:", layout=layout, **sliders)
        self.second = ipywidgets.FloatSlider(description="code number 2:", layout=layout, **sliders)
        self.status = ipywidgets.HTML()
        self.latent_image = ipywidgets.Image(format="png")
        self.digit_image = ipywidgets.Image(format="png")
        self.code_text = ipywidgets.HTML()
        self.model.observe(self._model_changed, names="value")
        for slider in (self.first, self.second):
            slider.observe(self._moved, names="value")

    @property
    def code(self) -> tuple[float, float]:
        """The chosen code, rounded as the sliders show it."""
        return round(self.first.value, 2), round(self.second.value, 2)

    def move_to(self, first: float, second: float) -> None:
        """Set both sliders, as a student would (each move redraws)."""
        self.first.value, self.second.value = first, second

    def choose(self, model: str) -> None:
        """Choose a model in the drop-down."""
        self.model.value = model

    def _model_changed(self, _change: object = None) -> None:
        """Span the sliders over the new model's codes and start at the middle of them."""
        codes = self.codes[self.model.value]
        low, high = code_range(codes)
        start = np.clip(np.median(codes, axis=0), low, high)
        self._updating = True
        try:
            _set_range(self.first, float(low[0]), float(high[0]), float(start[0]))
            _set_range(self.second, float(low[1]), float(high[1]), float(start[1]))
        finally:
            self._updating = False
        self._show()

    def _moved(self, _change: object = None) -> None:
        if not self._updating:
            self._show()

    def _show(self) -> None:
        """Decode the chosen code (one decoder call) and redraw the marker and the digit."""
        name = self.model.value
        point = np.array([[self.first.value, self.second.value]])
        try:
            self.decoded = np.asarray(self.decoders[name](point)).reshape(-1)
            self.latent_image.value = self._plot(name).png_with_marker(point[0, 0], point[0, 1])
            self.digit_image.value = digit_png(self.decoded)
        except Exception as error:  # a widget shows a message, never a traceback
            self.status.value = fix_html(f"Could not decode this code: {type(error).__name__}: {error}")
            return
        self.status.value = ""
        first, second = self.code
        self.code_text.value = (
            f"<p>{html.escape(name)} decodes<br><code>({first:.2f}, {second:.2f})</code><br>to the digit above.</p>"
        )

    def _plot(self, name: str) -> MarkedPlot:
        """The latent plot of ``name``, drawn on first use."""
        if name not in self._figures:
            title = f"{name}: the codes and the chosen point"
            self._figures[name] = MarkedPlot(plots.plot_latent_space(self.codes[name], self.labels, title=title))
        return self._figures[name]

    def intro_html(self) -> str:
        return (
            "<p><strong>Latent decoder.</strong> Choose a model, then move the two sliders: they choose a code, "
            "two numbers, marked by the black cross in the model's latent plot (each digit is written at the "
            "centre of its codes). Beside the plot is the digit the model's decoder makes of that code. The "
            f"sliders span the middle {COVERAGE:.0%} of the plotted codes.</p>"
        )

    def controls_html(self) -> str:
        names = ", ".join(html.escape(name) for name in self.decoders)
        slider = f"a slider over the middle {COVERAGE:.0%} of the chosen model's codes; starts at their median"
        return controls_list_html(
            [
                (self.model.description, f"one of {names}; starts at {html.escape(self.model.value)}"),
                (self.first.description, slider),
                (self.second.description, slider),
            ]
        )

    def snapshot_html(self) -> str:
        first, second = self.code
        return f"<p>Model {html.escape(self.model.value)}, code <code>({first:.2f}, {second:.2f})</code>.</p>"
