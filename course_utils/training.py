"""Training with a fixed seed and a short progress line per epoch."""

from __future__ import annotations

import json
import math
import numbers
import time
import weakref
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from course_utils import data, results
from course_utils.backend import keras
from course_utils.environment import DEFAULT_SEED
from course_utils.models import Autoencoder

# Run this many batches per backend call: these models are so small that per-step overhead would
# otherwise dominate. Same losses, about twice as fast on TensorFlow (benchmarks/README.md).
STEPS_PER_EXECUTION = 32
WEIGHTS_SUFFIX = ".weights.npz"
OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}
# A finite run counts as diverged when its final loss is this many times that of an output of 0.5 for
# every pixel (ln 2 for cross-entropy), or this many times its first epoch's. An untrained model
# outputs about 0.5, so its loss is within 0.1% of that constant output's, and training only lowers
# it: none of the 42 loss curves saved in notebooks/results goes above 0.690 (a first epoch's mean)
# or ends above 0.83 of its first epoch, nor did tiny runs at learning rates up to 0.3 on both
# backends. Runs that blew up end far beyond both bounds: from 2.2 (outputs stuck at 0 or 1) to 1e19.
CONSTANT_OUTPUT_MARGIN = 1.25
FIRST_EPOCH_MARGIN = 1.5
# At most this many training images price the constant output: the bound needs no more precision.
BASELINE_IMAGES = 1024


@dataclass
class _TrainingRecord:
    """What :func:`train` did to one Keras model: the epochs it finished, and whether a call was interrupted."""

    epochs: int = 0
    interrupted: bool = False


# The record of each Keras model train() was given, to announce a training cell run again after it
# finished or was interrupted (Ctrl-C): the model then starts from the weights it was left with.
_TRAINED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class TrainingSettings:
    """Settings held identical across the article's models.

    The defaults were chosen on the evidence of ``benchmarks/choose_settings.py`` (table in
    ``benchmarks/results/settings.md``), measured on a validation split of the training images,
    never on the test images: a linear code, Adam and batches of 32 gave the lowest validation
    loss and the best-separated codes over three seeds; 30 epochs keep a notebook under a minute
    while leaving less than 0.008 of validation loss to gain by 60 epochs.
    ``benchmarks/batch_size.py`` (``benchmarks/results/batch_size.md``) weighs speed against
    quality: on the 4,000 offline images no larger batch reaches the codes of batch 32 in less
    training time, with or without a raised learning rate.

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
        # NumPy's integers and an int learning rate are accepted and stored as Python's int and
        # float: Keras's optimizers refuse an int, and the keys of saved results read these values.
        for field_name in ("epochs", "batch_size"):
            value = getattr(self, field_name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
                raise ValueError(f"{field_name} must be a positive whole number, not {value!r}.")
            object.__setattr__(self, field_name, int(value))
        rate = self.learning_rate
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 < rate < float("inf"):
            raise ValueError(f"learning_rate must be a positive finite number such as 0.001, not {self.learning_rate!r}.")
        try:
            object.__setattr__(self, "learning_rate", float(rate))
        except OverflowError:  # a whole number beyond any float, such as 10**400
            raise ValueError("learning_rate must be a number such as 0.001, not a whole number beyond any float.") from None
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {self.optimizer!r}.")

    def updates(self, images: int) -> int:
        """The gradient updates these settings make on ``images`` training images: epochs times batches per epoch."""
        return self.epochs * math.ceil(images / self.batch_size)


# Settings for the full 60,000 training images (notebook 8), chosen by benchmarks/full_size.py on a
# validation split of Fashion-MNIST's training images (benchmarks/results/full_size_settings.md):
# the fastest setting whose validation loss, kNN accuracy and trustworthiness were within the
# typical seed spread of the best, for all three models. Larger batches needed 60 epochs to get
# there, and on these small models an epoch at batch 512 is not twice as fast as at 128.
FULL_SIZE_SETTINGS = TrainingSettings(epochs=30, batch_size=128, learning_rate=2e-3)


class EpochLine(keras.callbacks.Callback):
    """Print a few progress lines: epoch 1, epoch 2 with an estimate of the total, then every few epochs and the end.

    The estimate comes from the second epoch: the first one also builds and compiles the model,
    and timed alone it overstated the total several times over.
    """

    def __init__(self, epochs: int, max_lines: int = 3, val_name: str = "val") -> None:
        super().__init__()
        self.epochs = epochs
        self.every = _round_step(-(-epochs // max_lines))
        self.val_name = val_name
        self.started = self.epoch_started = 0.0

    def on_train_begin(self, logs=None) -> None:
        self.started = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self.epoch_started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        number = epoch + 1
        if number not in (1, 2, self.epochs) and number % self.every:
            return
        now = time.perf_counter()
        named = {key.replace("val_", f"{self.val_name}_", 1): value for key, value in (logs or {}).items()}
        losses = "  ".join(f"{key} {value:.4f}" for key, value in named.items())
        elapsed = now - self.started
        remaining = (now - self.epoch_started) * (self.epochs - number)
        estimate = f"; about {elapsed + remaining:.0f} s for all {self.epochs}" if number == 2 < self.epochs else ""
        counter = f"{number:>{len(str(self.epochs))}}/{self.epochs}"
        print(f"epoch {counter}  {losses}  ({elapsed:.1f} s{estimate})", flush=True)

    def on_train_end(self, logs=None) -> None:
        print(f"trained in {time.perf_counter() - self.started:.1f} s", flush=True)


def _round_step(step: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least ``step``: epochs 10, 20, 30 are reported."""
    nice = 1
    while nice < step:
        nice = nice * 5 // 2 if str(nice).startswith("2") else nice * 2
    return nice


def compile_autoencoder(autoencoder: Autoencoder, settings: TrainingSettings) -> None:
    """Compile the full model with the chosen optimizer and the reconstruction loss."""
    optimizer = OPTIMIZERS[settings.optimizer](learning_rate=settings.learning_rate)
    steps = 1 if keras.backend.backend() == "torch" else STEPS_PER_EXECUTION  # PyTorch allows only 1
    autoencoder.autoencoder.compile(optimizer=optimizer, loss=settings.loss, steps_per_execution=steps)


def train(
    autoencoder: Autoencoder,
    x_train: np.ndarray,
    x_val: np.ndarray | None = None,
    settings: TrainingSettings | None = None,
    seed: int = DEFAULT_SEED,
    verbose: bool = True,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    reuse: bool = False,
    cache_folder: Path | None = None,
    val_name: str = "val",
) -> keras.callbacks.History:
    """Train an autoencoder to reproduce its input, with a fixed seed.

    Args:
        autoencoder: The model bundle from :func:`course_utils.models.build_autoencoder`.
        x_train: Flattened training images in [0, 1].
        x_val: Optional images watched after every epoch; their loss is reported as ``val_loss``.
        settings: Epochs, batch size and learning rate; ``None`` uses the course defaults.
        seed: Seeds the shuffling (and dropout) so the same call gives the same losses.
        verbose: Print progress: the first epoch with an estimate of the total, then a few more lines.
        callbacks: Extra Keras callbacks, for example early stopping.
        reuse: Load the result of an identical earlier run (same initial weights, images, settings,
            seed, library versions and code version) from the cache instead of training again,
            and cache new results (one per model name and seed).
        cache_folder: The cache folder for ``reuse``; defaults to :func:`cache_dir`.
        val_name: What ``x_val`` is: ``"val"`` for validation images taken from the training set,
            ``"test"`` when it holds test images that are watched but never choose anything; the
            curve is then reported as ``test_loss``.

    Returns:
        The Keras history with ``loss`` (and ``val_loss`` or ``test_loss``) per epoch.
    """
    settings = settings or TrainingSettings()
    _check_images(x_train, autoencoder, "x_train")
    validation = None
    if x_val is not None:
        _check_images(x_val, autoencoder, "x_val")
        validation = (x_val, x_val)
    continued = _announce_earlier_training(autoencoder)
    reusable = reuse and not continued  # a continued run did not start from the built weights: never cached
    slot = _slot(cache_folder or cache_dir(), autoencoder, seed) if reusable else None
    key = run_key(autoencoder, x_train, x_val, settings, seed, callbacks) if reusable else ""
    keras.utils.set_random_seed(seed)
    compile_autoencoder(autoencoder, settings)
    record = _TRAINED.setdefault(autoencoder.autoencoder, _TrainingRecord())
    history = _load_cached(autoencoder, slot, key, verbose) if slot is not None else None
    if history is not None:
        record.epochs += len(history.history["loss"])
    else:
        history = _fit(autoencoder, x_train, validation, settings, verbose, callbacks, val_name, record)
        if not _diverged(history, _constant_output_loss(x_train, settings)) and slot is not None:
            # The weights only: a reused run needs no optimizer state, as it trains no further.
            results.save_arrays(slot, key, autoencoder.autoencoder.get_weights(), history.history)
    if val_name != "val" and "val_loss" in history.history:
        history.history[f"{val_name}_loss"] = history.history.pop("val_loss")
    return history


def _announce_earlier_training(autoencoder: Autoencoder) -> bool:
    """Say what earlier :func:`train` calls left this model with; True when this call continues from there."""
    record = _TRAINED.get(autoencoder.autoencoder)
    if record is None or not (record.epochs or record.interrupted):
        return False
    if record.interrupted:
        earlier = (
            f"was being trained by an earlier call that was interrupted (Ctrl-C or the stop button) after "
            f"{_count(record.epochs, 'finished epoch')}; it keeps the weights it had then"
        )
    else:
        earlier = f"was already trained for {_count(record.epochs, 'epoch')} by an earlier call"
    print(
        f"Note: {autoencoder.name} {earlier}, so this call trains it further from there (and does not use or fill "
        "the cache). To train from the start, run the cell that builds the model first."
    )
    return True


def _count(number: int, noun: str) -> str:
    """``1 epoch``, ``2 epochs``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _constant_output_loss(images: np.ndarray, settings: TrainingSettings) -> float:
    """The loss of an output of 0.5 for every pixel, about what an untrained model gives (ln 2 for cross-entropy)."""
    sample = np.asarray(images[:BASELINE_IMAGES], dtype="float32")
    losses = keras.losses.get(settings.loss)(sample, np.full_like(sample, 0.5))
    return float(np.mean(keras.ops.convert_to_numpy(losses)))


def _divergence(losses: Sequence[float], constant_loss: float) -> str:
    """Why a loss curve shows a diverged run (margins: see ``CONSTANT_OUTPUT_MARGIN``), or an empty string.

    Args:
        losses: The training loss of each epoch.
        constant_loss: The loss of an output of 0.5 for every pixel, from :func:`_constant_output_loss`.
    """
    curve = np.asarray(losses, dtype=float)
    if not curve.size or not np.all(np.isfinite(curve)):
        return "the loss became NaN or infinite"
    if curve[-1] > CONSTANT_OUTPUT_MARGIN * constant_loss:
        return f"the final loss {curve[-1]:.4g} is far above the {constant_loss:.3f} of an output of 0.5 for every pixel"
    if curve[-1] > FIRST_EPOCH_MARGIN * curve[0]:
        return f"the loss rose from {curve[0]:.4g} in the first epoch to {curve[-1]:.4g}"
    return ""


def _diverged(history: keras.callbacks.History, constant_loss: float) -> bool:
    """Report a run whose loss curve shows it diverged; such a run is never cached."""
    reason = _divergence(history.history.get("loss", []), constant_loss)
    if reason:
        print(
            f"Warning: training diverged ({reason}), so the model's outputs are meaningless. Lower the learning "
            f"rate (the course uses {TrainingSettings().learning_rate}), check that the images are in [0, 1], "
            "and build the model again."
        )
    return bool(reason)


class _EpochCounter(keras.callbacks.Callback):
    """Count each finished epoch in a model's record as it ends, so an interrupted fit leaves the count right."""

    def __init__(self, record: _TrainingRecord) -> None:
        super().__init__()
        self.record = record

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.record.epochs += 1


def _fit(autoencoder, x_train, validation, settings, verbose, callbacks, val_name, record) -> keras.callbacks.History:
    """Fit, counting finished epochs in ``record``; an interruption is marked in it, then raised again."""
    progress = [EpochLine(settings.epochs, val_name=val_name)] if verbose else []
    try:
        return autoencoder.autoencoder.fit(
            x_train,
            x_train,
            epochs=settings.epochs,
            batch_size=settings.batch_size,
            validation_data=validation,
            shuffle=True,
            verbose=0,
            # The counter first, so that an epoch is counted before another callback can stop the fit.
            callbacks=[_EpochCounter(record), *progress, *callbacks],
        )
    except KeyboardInterrupt:
        # The weights are part-trained: the next call must say so and not cache. The student asked to stop.
        record.interrupted = True
        raise


def cache_dir() -> Path:
    """Where :func:`train` keeps reusable results: ``$COURSE_CACHE_DIR`` or ``~/.cache/autoencoder-course``."""
    return results.default_dir()


def run_key(
    autoencoder: Autoencoder,
    x_train: np.ndarray,
    x_val: np.ndarray | None,
    settings: TrainingSettings,
    seed: int,
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> str:
    """A key that changes whenever anything that decides a training run's result changes.

    It covers the model's layers and initial weights, the images, the settings, the seed and the
    callbacks, and (through :func:`course_utils.results.key`) the Keras and backend versions and
    the course's declared code version.
    """
    return results.key(
        autoencoder.autoencoder.to_json(),
        *autoencoder.autoencoder.get_weights(),
        x_train,
        x_val,
        asdict(settings),
        seed,
        [_describe_callback(callback) for callback in callbacks],
    )


def _describe_callback(callback: keras.callbacks.Callback) -> str:
    """The class and simple settings of a callback, e.g. EarlyStopping's monitor and patience."""
    settings = {key: value for key, value in vars(callback).items() if isinstance(value, (bool, int, float, str))}
    return f"{type(callback).__name__}{json.dumps(settings, sort_keys=True)}"


def _slot(folder: Path, autoencoder: Autoencoder, seed: int) -> Path:
    """One saved run per model name and seed: a new run of the same model replaces the old one."""
    return Path(folder) / f"{autoencoder.name}-seed{seed}{WEIGHTS_SUFFIX}"


def _load_cached(autoencoder: Autoencoder, path: Path, key: str, verbose: bool) -> keras.callbacks.History | None:
    """The saved run in slot ``path``, checked in full before the model's weights are touched."""
    found = results.load_arrays(path, key)
    if found is None:
        return None
    weights, curves = found
    problem = _saved_run_problem(autoencoder, weights, curves)
    if problem:
        print(f"Note: the saved result {path} {problem}; training again.")
        return None
    autoencoder.autoencoder.set_weights(weights)
    history = keras.callbacks.History()
    history.history = curves
    if verbose:
        epochs = len(history.history["loss"])
        print(f"Reused an identical earlier run of {autoencoder.name} ({epochs} epochs)")
        print(f"from {path.parent}.")
        print(f"Final loss {history.history['loss'][-1]:.4f}; pass reuse=False to train again.")
    return history


def _saved_run_problem(autoencoder: Autoencoder, weights: list[np.ndarray], curves: object) -> str:
    """What makes a saved run unusable for this model, or an empty string."""
    expected = [tuple(weight.shape) for weight in autoencoder.autoencoder.get_weights()]
    if [tuple(weight.shape) for weight in weights] != expected:
        return "does not fit this model's layers"
    if not isinstance(curves, dict) or not isinstance(curves.get("loss"), list) or not curves["loss"]:
        return "has no loss curve"
    lengths = {len(values) if isinstance(values, list) else -1 for values in curves.values()}
    values = [value for curve in curves.values() if isinstance(curve, list) for value in curve]
    if len(lengths) != 1 or not all(isinstance(value, (int, float)) and np.isfinite(value) for value in values):
        return "has incomplete or non-finite loss curves"
    return ""


def _check_images(images: np.ndarray, autoencoder: Autoencoder, what: str) -> None:
    data.check_images(images, what, width=autoencoder.autoencoder.input_shape[-1])


def encode(autoencoder: Autoencoder, images: np.ndarray) -> np.ndarray:
    """Latent codes of ``images`` as a NumPy array."""
    _check_images(images, autoencoder, "images")
    return np.asarray(autoencoder.encoder.predict(images, verbose=0, batch_size=1024))


def decode(autoencoder: Autoencoder, codes: np.ndarray) -> np.ndarray:
    """Images decoded from latent ``codes`` as a NumPy array."""
    return np.asarray(autoencoder.decoder.predict(codes, verbose=0, batch_size=1024))


def reconstruct(autoencoder: Autoencoder, images: np.ndarray) -> np.ndarray:
    """Reconstructions of ``images`` as a NumPy array."""
    _check_images(images, autoencoder, "images")
    return np.asarray(autoencoder.autoencoder.predict(images, verbose=0, batch_size=1024))


def test_loss(autoencoder: Autoencoder, images: np.ndarray) -> float:
    """The reconstruction loss of the compiled model on ``images``."""
    return float(autoencoder.autoencoder.evaluate(images, images, verbose=0, batch_size=1024))


def overfitting(history: keras.callbacks.History) -> dict[str, float]:
    """How a run ended compared with its best epoch, from training and validation losses.

    Returns:
        ``best_epoch`` (1-based, lowest validation loss), ``epochs``, ``final_gap`` (validation
        minus training loss at the end) and ``rise`` (final minus best validation loss: above
        zero once the model has started to overfit).
    """
    curves = getattr(history, "history", history)
    if "val_loss" not in curves:
        raise ValueError("overfitting needs a validation loss: train with x_val.")
    validation, fitted = np.asarray(curves["val_loss"]), np.asarray(curves["loss"])
    best = int(np.argmin(validation))
    return {
        "best_epoch": best + 1,
        "epochs": len(validation),
        "final_gap": float(validation[-1] - fitted[-1]),
        "rise": float(validation[-1] - validation[best]),
    }


def early_stopping(patience: int = 10) -> keras.callbacks.EarlyStopping:
    """Stop when the validation loss has not improved for ``patience`` epochs; keep the best weights."""
    return keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
