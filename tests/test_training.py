import json
import math
from pathlib import Path

import numpy as np
import pytest

from course_utils import models, results, training
from course_utils.backend import keras
from course_utils.maintain import notebooks

pytestmark = pytest.mark.backend

FAST = training.TrainingSettings(epochs=3, batch_size=64)


def _train(small_mnist, seed, hidden=(10,), settings=FAST, verbose=False):
    built = models.build_autoencoder(hidden, seed=seed)
    history = training.train(built, small_mnist.x_train, small_mnist.x_test, settings, seed=seed, verbose=verbose)
    return built, history


def test_same_seed_gives_same_losses_and_codes(small_mnist):
    first, first_history = _train(small_mnist, seed=7)
    second, second_history = _train(small_mnist, seed=7)
    np.testing.assert_allclose(first_history.history["loss"], second_history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose(
        training.encode(first, small_mnist.x_test), training.encode(second, small_mnist.x_test), rtol=1e-5, atol=1e-6
    )


def test_different_seeds_give_different_codes(small_mnist):
    first, _ = _train(small_mnist, seed=1)
    second, _ = _train(small_mnist, seed=2)
    assert not np.allclose(training.encode(first, small_mnist.x_test), training.encode(second, small_mnist.x_test))


def test_training_lowers_the_loss(small_mnist):
    _, history = _train(small_mnist, seed=0, settings=training.TrainingSettings(epochs=5, batch_size=32))
    assert history.history["loss"][-1] < history.history["loss"][0] - 0.02
    assert len(history.history["val_loss"]) == 5


def test_progress_shows_each_epoch_and_the_total(small_mnist, capsys):
    _train(small_mnist, seed=0, verbose=True)
    printed = capsys.readouterr().out
    for epoch in (1, 2, 3):
        assert f"epoch {epoch}/3" in printed
    assert "val_loss" in printed and "trained in" in printed


def test_progress_is_at_most_ten_lines_for_long_training(capsys):
    line = training.EpochLine(epochs=95)
    line.on_train_begin()
    for epoch in range(95):
        line.on_epoch_end(epoch, {"loss": 0.1})
    printed = capsys.readouterr().out.splitlines()
    assert 2 <= len(printed) <= 11
    assert printed[0].startswith("epoch  1/95") and printed[-1].startswith("epoch 95/95")


def test_the_estimate_comes_from_the_second_epoch_not_the_compiling_first(capsys, monkeypatch):
    clock = iter([0.0, 0.0, 10.0, 10.0, 11.0, *range(12, 40)])  # epoch 1 takes 10 s, every later one 1 s
    monkeypatch.setattr(training.time, "perf_counter", lambda: next(clock))
    line = training.EpochLine(epochs=30)
    line.on_train_begin()
    for epoch in range(3):
        line.on_epoch_begin(epoch)
        line.on_epoch_end(epoch, {"loss": 0.1})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("epoch  1/30") and "about" not in printed[0]
    assert printed[1].startswith("epoch  2/30") and "about 39 s for all 30" in printed[1]  # 11 s + 28 x 1 s
    assert len(printed) == 2


def test_wrong_image_shape_is_a_clear_error(small_mnist):
    built = models.build_autoencoder([])
    with pytest.raises(ValueError, match=r"x_train.reshape\(len\(x_train\), -1\)"):
        training.train(built, small_mnist.x_train.reshape(-1, 28, 28), settings=FAST, verbose=False)


@pytest.mark.parametrize(
    "arguments", [{"epochs": 0}, {"epochs": 2.5}, {"batch_size": -1}, {"learning_rate": 0}, {"optimizer": "sgdd"}]
)
def test_bad_settings_are_refused(arguments):
    with pytest.raises(ValueError):
        training.TrainingSettings(**arguments)


def test_test_loss_matches_the_last_validation_loss(small_mnist):
    built, history = _train(small_mnist, seed=0)
    assert training.test_loss(built, small_mnist.x_test) == pytest.approx(history.history["val_loss"][-1], rel=1e-4)


def test_reuse_loads_an_identical_earlier_run(small_mnist, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(results.CACHE_VARIABLE, str(tmp_path))
    first = models.build_autoencoder([10], seed=4)
    first_history = training.train(first, small_mnist.x_train, small_mnist.x_test, FAST, seed=4, reuse=True)
    second = models.build_autoencoder([10], seed=4)
    capsys.readouterr()
    second_history = training.train(second, small_mnist.x_train, small_mnist.x_test, FAST, seed=4, reuse=True)
    assert "Reused an identical earlier run" in capsys.readouterr().out
    assert second_history.history == first_history.history
    np.testing.assert_array_equal(training.encode(first, small_mnist.x_test), training.encode(second, small_mnist.x_test))


def test_reuse_trains_again_when_anything_differs(small_mnist, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(results.CACHE_VARIABLE, str(tmp_path))
    training.train(models.build_autoencoder([10], seed=4), small_mnist.x_train, settings=FAST, seed=4, reuse=True)
    capsys.readouterr()
    training.train(models.build_autoencoder([10], seed=5), small_mnist.x_train, settings=FAST, seed=4, reuse=True)
    assert "Reused" not in capsys.readouterr().out
    assert len(list(tmp_path.iterdir())) == 1, "a new run of the same model and seed replaces the old one"
    training.train(models.build_autoencoder([10], seed=4), small_mnist.x_train, settings=FAST, seed=4, reuse=True)
    assert "Reused" not in capsys.readouterr().out, "the replaced run is gone"


def test_the_training_key_reads_no_source_file(small_mnist, monkeypatch):
    """A comment or docstring edit must leave saved runs valid: the key comes from values, never from .py files."""
    model = models.build_autoencoder([10], seed=4)
    key = training.run_key(model, small_mnist.x_train, None, FAST, seed=4)

    def refusing_source(read):
        def guarded(path, *arguments, **options):
            assert path.suffix != ".py", f"the key read {path}"
            return read(path, *arguments, **options)

        return guarded

    monkeypatch.setattr(Path, "read_bytes", refusing_source(Path.read_bytes))
    monkeypatch.setattr(Path, "read_text", refusing_source(Path.read_text))
    assert training.run_key(model, small_mnist.x_train, None, FAST, seed=4) == key
    monkeypatch.setattr(results, "CODE_VERSION", results.CODE_VERSION + 1)
    assert training.run_key(model, small_mnist.x_train, None, FAST, seed=4) != key


def test_damaged_cache_is_reported_and_training_runs(small_mnist, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(results.CACHE_VARIABLE, str(tmp_path))
    training.train(models.build_autoencoder([10], seed=4), small_mnist.x_train, settings=FAST, seed=4, reuse=True)
    (cached,) = tmp_path.glob(f"*{training.WEIGHTS_SUFFIX}")
    cached.write_bytes(b"damaged")
    capsys.readouterr()
    history = training.train(models.build_autoencoder([10], seed=4), small_mnist.x_train, settings=FAST, seed=4, reuse=True)
    printed = capsys.readouterr().out
    assert "could not be read" in printed and "making it again" in printed
    assert len(history.history["loss"]) == FAST.epochs


def test_overfitting_reports_best_epoch_gap_and_rise():
    report = training.overfitting({"loss": [0.30, 0.20, 0.10, 0.05], "val_loss": [0.31, 0.22, 0.25, 0.30]})
    assert report["best_epoch"] == 2 and report["epochs"] == 4
    assert report["final_gap"] == pytest.approx(0.25)
    assert report["rise"] == pytest.approx(0.08)


def test_overfitting_needs_a_validation_loss():
    with pytest.raises(ValueError, match="x_val"):
        training.overfitting({"loss": [0.3, 0.2]})


def test_early_stopping_stops_and_restores(small_mnist):
    built = models.build_autoencoder([10], seed=0)
    stopper = training.early_stopping(patience=1)
    settings = training.TrainingSettings(epochs=40, batch_size=64, learning_rate=0.05)
    history = training.train(
        built, small_mnist.x_train[:200], small_mnist.x_test, settings, seed=0, verbose=False, callbacks=[stopper]
    )
    assert len(history.history["loss"]) < 40
    assert stopper.best_weights is not None


class _StopInEpoch(keras.callbacks.Callback):
    """Raise KeyboardInterrupt part-way through one epoch, as Ctrl-C or the stop button does in a training cell."""

    def __init__(self, epoch: int) -> None:
        super().__init__()
        self.stop_epoch = self.current = epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.current == self.stop_epoch:
            raise KeyboardInterrupt


@pytest.mark.parametrize("stop_epoch", [0, 1])
def test_an_interrupted_run_is_named_with_its_epochs_and_never_cached(small_mnist, tmp_path, capsys, stop_epoch):
    model = models.build_autoencoder([10], seed=4)
    run = {"settings": FAST, "seed": 4, "reuse": True, "cache_folder": tmp_path, "verbose": False}
    with pytest.raises(KeyboardInterrupt):  # the student asked to stop: the interruption goes on up
        training.train(model, small_mnist.x_train, callbacks=[_StopInEpoch(stop_epoch)], **run)
    assert not any(tmp_path.iterdir())
    capsys.readouterr()
    history = training.train(model, small_mnist.x_train, **run)
    printed = capsys.readouterr().out
    assert "interrupted" in printed and f"after {stop_epoch} finished epoch" in printed
    assert "run the cell that builds the model" in printed
    assert len(history.history["loss"]) == FAST.epochs
    assert not any(tmp_path.iterdir()), "a run continued from interrupted weights must never be cached"
    training.train(models.build_autoencoder([10], seed=4), small_mnist.x_train, **run)  # the fix the note gives
    assert "Note" not in capsys.readouterr().out and len(list(tmp_path.iterdir())) == 1, "a fresh run is cached"


def test_a_run_that_explodes_but_stays_finite_is_reported_and_never_cached(small_mnist, tmp_path, capsys):
    exploding = training.TrainingSettings(epochs=2, batch_size=64, learning_rate=1e3)
    model = models.build_autoencoder([10], seed=4)
    history = training.train(model, small_mnist.x_train, settings=exploding, seed=4, reuse=True, cache_folder=tmp_path)
    assert np.all(np.isfinite(history.history["loss"])), "this case is about a loss that stays finite"
    printed = capsys.readouterr().out
    assert "training diverged" in printed and "Lower the learning rate" in printed
    assert not any(tmp_path.iterdir()), "an exploded run must never be reused"


@pytest.mark.parametrize(
    ("losses", "reason"),
    [
        ([0.69, 0.45, 0.30], ""),
        ([0.69], ""),  # one epoch of an untrained-looking model is not a divergence
        ([1.8e13, 132.0], "far above"),
        ([2.03, 2.18], "far above"),  # outputs stuck at 0 or 1 (clipped cross-entropy)
        ([0.30, 0.20, 0.60], "rose from 0.3"),
        ([0.5, math.nan], "NaN or infinite"),
        ([], "NaN or infinite"),
    ],
)
def test_divergence_is_judged_by_the_loss_curve(small_mnist, losses, reason):
    constant = training._constant_output_loss(small_mnist.x_train, training.TrainingSettings())
    assert constant == pytest.approx(math.log(2), rel=1e-4)
    found = training._divergence(losses, constant)
    assert (reason in found) if reason else found == ""


def _saved_loss_curves():
    """The training loss curves of every run saved with the course (studies as JSON, full-size weights as .npz)."""
    folder = notebooks.NOTEBOOK_DIR / "results"
    for path in sorted(folder.rglob("*.json")):
        saved = json.loads(path.read_text())
        if "history" in saved:
            yield path, saved["history"]["loss"]
    for path in sorted(folder.rglob(f"*{training.WEIGHTS_SUFFIX}")):
        with np.load(path) as saved:
            yield path, json.loads(str(saved[results.META_ENTRY]))["loss"]


def test_no_run_saved_with_the_course_counts_as_diverged(small_mnist):
    constant = training._constant_output_loss(small_mnist.x_train, training.TrainingSettings())
    curves = list(_saved_loss_curves())
    assert len(curves) >= 30
    flagged = {path.name: training._divergence(losses, constant) for path, losses in curves}
    assert not any(flagged.values()), flagged
