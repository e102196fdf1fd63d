"""Training with a fixed seed and a short progress line per epoch."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from course_utils.models import Autoencoder

OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}


@dataclass(frozen=True)
class TrainingSettings:
    """Settings held identical across the article's models (chosen in ``benchmarks/choose_settings.py``).

    Attributes:
        epochs: Passes over the training images.
        batch_size: Images per gradient step.
        learning_rate: The optimizer's step size.
        optimizer: ``"adam"`` or ``"rmsprop"``.
        loss: The reconstruction loss.
    """

    epochs: int = 30
    batch_size: int = 32
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    loss: str = "binary_crossentropy"

    def __post_init__(self) -> None:
        for field_name in ("epochs", "batch_size"):
            value = getattr(self, field_name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{field_name} must be a positive whole number, not {value!r}.")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, not {self.learning_rate!r}.")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {self.optimizer!r}.")


class EpochLine(keras.callbacks.Callback):
    """Print one line per reported epoch (at most ``max_lines``), then the total time."""

    def __init__(self, epochs: int, max_lines: int = 10) -> None:
        super().__init__()
        self.epochs = epochs
        self.every = max(1, -(-epochs // max_lines))
        self.started = 0.0

    def on_train_begin(self, logs=None) -> None:
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        number = epoch + 1
        if number == 1 or number % self.every == 0 or number == self.epochs:
            losses = "  ".join(f"{key} {value:.4f}" for key, value in (logs or {}).items())
            elapsed = time.perf_counter() - self.started
            print(f"epoch {number:>{len(str(self.epochs))}}/{self.epochs}  {losses}  ({elapsed:.1f} s)", flush=True)

    def on_train_end(self, logs=None) -> None:
        print(f"trained in {time.perf_counter() - self.started:.1f} s", flush=True)


def compile_autoencoder(autoencoder: Autoencoder, settings: TrainingSettings) -> None:
    """Compile the full model with the chosen optimizer and the reconstruction loss."""
    optimizer = OPTIMIZERS[settings.optimizer](learning_rate=settings.learning_rate)
    autoencoder.autoencoder.compile(optimizer=optimizer, loss=settings.loss)


def train(
    autoencoder: Autoencoder,
    x_train: np.ndarray,
    x_val: np.ndarray | None = None,
    settings: TrainingSettings | None = None,
    seed: int = 42,
    verbose: bool = True,
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> keras.callbacks.History:
    """Train an autoencoder to reproduce its input, with a fixed seed.

    Args:
        autoencoder: The model bundle from :func:`course_utils.models.build_autoencoder`.
        x_train: Flattened training images in [0, 1].
        x_val: Optional validation images; their loss is reported as ``val_loss``.
        settings: Epochs, batch size and learning rate; ``None`` uses the course defaults.
        seed: Seeds the shuffling (and dropout) so the same call gives the same losses.
        verbose: Print a progress line per epoch (at most ten lines).
        callbacks: Extra Keras callbacks, for example early stopping.

    Returns:
        The Keras history with ``loss`` (and ``val_loss``) per epoch.
    """
    settings = settings or TrainingSettings()
    _check_images(x_train, autoencoder, "x_train")
    validation = None
    if x_val is not None:
        _check_images(x_val, autoencoder, "x_val")
        validation = (x_val, x_val)
    keras.utils.set_random_seed(seed)
    compile_autoencoder(autoencoder, settings)
    progress = [EpochLine(settings.epochs)] if verbose else []
    return autoencoder.autoencoder.fit(
        x_train,
        x_train,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        validation_data=validation,
        shuffle=True,
        verbose=0,
        callbacks=[*progress, *callbacks],
    )


def _check_images(images: np.ndarray, autoencoder: Autoencoder, what: str) -> None:
    expected = autoencoder.autoencoder.input_shape[-1]
    shape = getattr(images, "shape", None)
    if shape is None or len(shape) != 2 or shape[1] != expected:
        raise ValueError(
            f"{what} must have shape (n_images, {expected}), got {shape}; "
            "flatten 28x28 images with images.reshape(len(images), -1)."
        )
    if len(images) == 0:
        raise ValueError(f"{what} is empty.")


def encode(autoencoder: Autoencoder, images: np.ndarray) -> np.ndarray:
    """Latent codes of ``images`` as a NumPy array."""
    return np.asarray(autoencoder.encoder.predict(images, verbose=0, batch_size=1024))


def reconstruct(autoencoder: Autoencoder, images: np.ndarray) -> np.ndarray:
    """Reconstructions of ``images`` as a NumPy array."""
    return np.asarray(autoencoder.autoencoder.predict(images, verbose=0, batch_size=1024))


def test_loss(autoencoder: Autoencoder, images: np.ndarray) -> float:
    """The reconstruction loss of the compiled model on ``images``."""
    return float(autoencoder.autoencoder.evaluate(images, images, verbose=0, batch_size=1024))
