"""Dense autoencoders built from a list of hidden-layer sizes, as in the source article."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from course_utils.backend import keras

INPUT_DIM = 784
LATENT_DIM = 2
LATENT_ACTIVATION = "linear"
HIDDEN_ACTIVATION = "relu"
OUTPUT_ACTIVATION = "sigmoid"
MAX_HIDDEN_LAYERS = 10
LAYER_COLUMNS = ["part", "layer", "units", "activation", "parameters"]

# Encoder layers before the 2-unit latent layer; the decoder mirrors them.
ARTICLE_HIDDEN_UNITS: dict[str, tuple[int, ...]] = {
    "Autoencoder_1": (),
    "Autoencoder_2": (10,),
    "Autoencoder_3": (32, 10),
}
ARTICLE_PARAMETER_COUNTS: dict[str, int] = {
    "Autoencoder_1": 3_922,
    "Autoencoder_2": 16_526,
    "Autoencoder_3": 51_726,
}


@dataclass(frozen=True)
class Autoencoder:
    """The three Keras models of one autoencoder.

    Attributes:
        encoder: Maps images (784) to latent codes.
        decoder: Maps latent codes back to images.
        autoencoder: ``decoder(encoder(x))``, the model that is trained.
        hidden_units: The encoder's hidden-layer sizes before the latent layer.
    """

    encoder: keras.Model
    decoder: keras.Model
    autoencoder: keras.Model
    hidden_units: tuple[int, ...]

    @property
    def name(self) -> str:
        """The name of the full model, for example ``Autoencoder_2``."""
        return self.autoencoder.name

    @property
    def architecture(self) -> str:
        """The layer sizes from input to output, for example ``784-10-2-10-784``."""
        return architecture_string(self.hidden_units, self.encoder.output_shape[-1], self.encoder.input_shape[-1])

    def count_params(self) -> int:
        """Number of trainable parameters of the full model."""
        return count_trainable(self.autoencoder)


def layer_sizes(hidden_units: Sequence[int], latent_dim: int = LATENT_DIM, input_dim: int = INPUT_DIM) -> list[int]:
    """The sizes from input to output of a mirrored autoencoder: ``[784, 32, 10, 2, 10, 32, 784]``.

    Python integers, whatever integers came in: NumPy's small ones (``np.uint8(2)``) would overflow
    when :func:`layer_parameters` multiplies them.
    """
    hidden = [int(units) for units in hidden_units]
    return [int(input_dim), *hidden, int(latent_dim), *reversed(hidden), int(input_dim)]


def architecture_string(hidden_units: Sequence[int], latent_dim: int = LATENT_DIM, input_dim: int = INPUT_DIM) -> str:
    """Write an architecture as the article does: ``784-32-10-2-10-32-784``."""
    return "-".join(str(size) for size in layer_sizes(hidden_units, latent_dim, input_dim))


def count_trainable(model: keras.Model) -> int:
    """Number of trainable parameters of a Keras model."""
    return int(sum(keras.ops.size(weight) for weight in model.trainable_weights))


def layer_parameters(hidden_units: Sequence[int], latent_dim: int = LATENT_DIM, input_dim: int = INPUT_DIM) -> list[int]:
    """The parameters of each Dense layer, from input to output: inputs × units weights plus one bias per unit."""
    sizes = layer_sizes(hidden_units, latent_dim, input_dim)
    return [fan_in * units + units for fan_in, units in zip(sizes[:-1], sizes[1:])]


def expected_parameter_count(hidden_units: Sequence[int], latent_dim: int = LATENT_DIM, input_dim: int = INPUT_DIM) -> int:
    """Count the parameters of a dense autoencoder by hand: weights plus one bias per unit."""
    return sum(layer_parameters(hidden_units, latent_dim, input_dim))


def validate_architecture(
    hidden_units: Sequence[int], latent_dim: int = LATENT_DIM, input_dim: int = INPUT_DIM
) -> tuple[int, ...]:
    """Check layer sizes and return the hidden sizes as a tuple of ints.

    Raises:
        ValueError: With a message that says what to change.
    """
    _check_whole_number("input_dim", input_dim)
    _check_whole_number("latent_dim", latent_dim)
    if isinstance(hidden_units, (str, bytes)) or not isinstance(hidden_units, Sequence):
        raise ValueError(
            f"hidden_units must be a list of layer sizes such as [32, 10], not {hidden_units!r}; "
            "use [] for no hidden layer besides the latent one."
        )
    if len(hidden_units) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"{len(hidden_units)} hidden layers is too many for this course; use at most {MAX_HIDDEN_LAYERS}.")
    for position, units in enumerate(hidden_units, start=1):
        _check_whole_number(f"hidden layer {position}", units)
    if latent_dim >= input_dim:
        raise ValueError(
            f"latent_dim={latent_dim} is not smaller than input_dim={input_dim}: an autoencoder must compress, "
            f"so choose a latent size below {input_dim}."
        )
    return tuple(int(units) for units in hidden_units)


def _check_whole_number(what: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{what} must be a whole number of units such as 10, not {value!r}.")
    if value <= 0:
        raise ValueError(f"{what} has {value} units; every layer needs at least 1 unit.")


def build_autoencoder(
    hidden_units: Sequence[int],
    latent_dim: int = LATENT_DIM,
    input_dim: int = INPUT_DIM,
    latent_activation: str = LATENT_ACTIVATION,
    dropout: float = 0.0,
    name: str | None = None,
    seed: int | None = None,
) -> Autoencoder:
    """Build a dense autoencoder whose decoder mirrors its encoder.

    Args:
        hidden_units: Encoder layer sizes before the latent layer, e.g. ``[32, 10]``; ``[]`` gives
            the article's one-hidden-layer model ``784-2-784``.
        latent_dim: Size of the latent (code) layer.
        input_dim: Size of a flattened image.
        latent_activation: Activation of the latent layer.
        dropout: Dropout rate after each hidden ReLU layer (0 for none).
        name: Name of the full model; defaults to ``Autoencoder_<number of encoder layers>``.
        seed: If given, seeds Keras first so the initial weights are reproducible.

    Returns:
        The encoder, the decoder and the full autoencoder.

    Raises:
        ValueError: If a size or the dropout rate makes no sense.
    """
    hidden = validate_architecture(hidden_units, latent_dim, input_dim)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout is a rate in [0, 1), not {dropout!r}.")
    if seed is not None:
        keras.utils.set_random_seed(seed)
    model_name = name or f"Autoencoder_{len(hidden) + 1}"
    encoder = _dense_stack(input_dim, hidden, latent_dim, latent_activation, dropout, "encoder")
    decoder = _dense_stack(latent_dim, hidden[::-1], input_dim, OUTPUT_ACTIVATION, dropout, "decoder")
    images = keras.Input(shape=(input_dim,), name="image")
    autoencoder = keras.Model(images, decoder(encoder(images)), name=model_name)
    return Autoencoder(encoder, decoder, autoencoder, hidden)


def _dense_stack(
    input_dim: int, hidden: Sequence[int], output_dim: int, output_activation: str, dropout: float, name: str
) -> keras.Model:
    inputs = keras.Input(shape=(input_dim,), name=f"{name}_input")
    outputs = inputs
    for position, units in enumerate(hidden, start=1):
        outputs = keras.layers.Dense(units, activation=HIDDEN_ACTIVATION, name=f"{name}_hidden_{position}")(outputs)
        if dropout:
            outputs = keras.layers.Dropout(dropout, name=f"{name}_dropout_{position}")(outputs)
    last_name = "latent" if name == "encoder" else "reconstruction"
    outputs = keras.layers.Dense(output_dim, activation=output_activation, name=last_name)(outputs)
    return keras.Model(inputs, outputs, name=name)


def build_article_model(name: str, **options) -> Autoencoder:
    """Build one of the article's three models by name, e.g. ``"Autoencoder_3"``."""
    if name not in ARTICLE_HIDDEN_UNITS:
        raise ValueError(f"unknown article model {name!r}; choose one of {', '.join(ARTICLE_HIDDEN_UNITS)}.")
    return build_autoencoder(ARTICLE_HIDDEN_UNITS[name], name=name, **options)


def layer_table(autoencoder: Autoencoder) -> pd.DataFrame:
    """The Dense layers as Keras built them (part, layer, units, activation, parameters), then the total."""
    rows = [
        (part.name, layer.name, layer.units, layer.activation.__name__, layer.count_params())
        for part in (autoencoder.encoder, autoencoder.decoder)
        for layer in part.layers
        if isinstance(layer, keras.layers.Dense)
    ]
    return _with_total(pd.DataFrame(rows, columns=LAYER_COLUMNS), autoencoder.count_params())


def planned_layer_table(hidden_units: Sequence[int], latent_activation: str = LATENT_ACTIVATION) -> pd.DataFrame:
    """The same table as :func:`layer_table`, worked out from the sizes alone, without building a model."""
    hidden = validate_architecture(hidden_units)
    sizes, parameters = layer_sizes(hidden), layer_parameters(hidden)
    code = len(hidden) + 1
    rows = []
    for position, (units, count) in enumerate(zip(sizes[1:], parameters), start=1):
        part, index = ("encoder", position) if position <= code else ("decoder", position - code)
        last = position in (code, len(sizes) - 1)
        name = ("latent" if part == "encoder" else "reconstruction") if last else f"{part}_hidden_{index}"
        activation = (latent_activation if part == "encoder" else OUTPUT_ACTIVATION) if last else HIDDEN_ACTIVATION
        rows.append((part, name, units, activation, count))
    table = pd.DataFrame(rows, columns=LAYER_COLUMNS)
    return _with_total(table, int(table["parameters"].sum()))


def _with_total(table: pd.DataFrame, total: int) -> pd.DataFrame:
    footer = pd.DataFrame([("", "total", "", "", total)], columns=LAYER_COLUMNS)
    return pd.concat([table.astype({"units": object}), footer], ignore_index=True)
