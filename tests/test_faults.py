"""Faults and bad inputs of the lesson modules: each gives a clear message or the right result, never lost work.

Each test reproduces one defect found by probing the course as a careless student would (issue
"Nothing lost, nothing wrong in silence"); the README's reliability table lists them.
"""

import multiprocessing
import os
from pathlib import Path

import numpy as np
import pytest

from course_utils import data, metrics, models, results, study, training

FAST = training.TrainingSettings(epochs=2, batch_size=64)


def _slot(folder):
    (slot,) = folder.glob(f"*{training.WEIGHTS_SUFFIX}")
    return slot


@pytest.mark.parametrize("curves", [{}, {"loss": []}, {"loss": [0.3, "x"]}, {"loss": [0.3], "val_loss": [0.2, 0.1]}])
def test_a_saved_run_with_a_broken_history_is_refused_before_the_weights_are_touched(small_mnist, tmp_path, capsys, curves):
    first = models.build_autoencoder([10], seed=4)
    training.train(first, small_mnist.x_train, settings=FAST, seed=4, reuse=True, cache_folder=tmp_path, verbose=False)
    slot = _slot(tmp_path)
    key = training.run_key(models.build_autoencoder([10], seed=4), small_mnist.x_train, None, FAST, 4)
    results.save_arrays(slot, key, first.autoencoder.get_weights(), curves)  # the right key, a broken history
    again = models.build_autoencoder([10], seed=4)
    before = [weight.copy() for weight in again.autoencoder.get_weights()]
    capsys.readouterr()
    history = training.train(again, small_mnist.x_train, settings=FAST, seed=4, reuse=True, cache_folder=tmp_path)
    printed = capsys.readouterr().out
    assert "training again" in printed and "Reused" not in printed
    assert len(history.history["loss"]) == FAST.epochs
    fresh = models.build_autoencoder([10], seed=4)
    fresh_history = training.train(fresh, small_mnist.x_train, settings=FAST, seed=4, verbose=False)
    assert history.history["loss"] == pytest.approx(fresh_history.history["loss"]), "it must train from the built weights"
    assert not np.array_equal(before[0], again.autoencoder.get_weights()[0])


def test_a_saved_run_of_other_layers_is_refused(small_mnist, tmp_path, capsys):
    key = training.run_key(models.build_autoencoder([10], seed=4), small_mnist.x_train, None, FAST, 4)
    slot = tmp_path / f"Autoencoder_2-seed4{training.WEIGHTS_SUFFIX}"
    results.save_arrays(slot, key, [np.zeros((3, 3))], {"loss": [0.1, 0.1]})
    training.train(
        models.build_autoencoder([10], seed=4), small_mnist.x_train, settings=FAST, seed=4, reuse=True, cache_folder=tmp_path
    )
    assert "does not fit this model's layers" in capsys.readouterr().out


def test_moving_the_split_boundary_changes_the_key(small_mnist):
    images = small_mnist.x_train[:400]
    model = models.build_autoencoder([10], seed=0)
    first = training.run_key(model, images[:300], images[300:], FAST, 0)
    assert first != training.run_key(model, images[:350], images[350:], FAST, 0)


def test_running_a_training_cell_twice_is_announced_and_not_cached(small_mnist, tmp_path, capsys):
    model = models.build_autoencoder([10], seed=4)
    training.train(model, small_mnist.x_train, settings=FAST, seed=4, reuse=True, cache_folder=tmp_path, verbose=False)
    saved = _slot(tmp_path).read_bytes()
    capsys.readouterr()
    history = training.train(model, small_mnist.x_train, settings=FAST, seed=4, reuse=True, cache_folder=tmp_path)
    printed = capsys.readouterr().out
    assert "already trained for 2 epochs" in printed and "run the cell that builds the model" in printed
    assert len(history.history["loss"]) == FAST.epochs
    assert _slot(tmp_path).read_bytes() == saved, "the original run must stay in the cache"
    training.train(model, small_mnist.x_train, settings=FAST, seed=4, verbose=False)
    assert "already trained for 4 epochs" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (lambda x: x * 255, "/ 255.0"),
        (lambda x: (x * 255).astype(np.uint8), "/ 255.0"),
        (lambda x: np.where(np.arange(x.size).reshape(x.shape) == 7, np.nan, x), "NaN or infinite"),
        (lambda x: x - 0.5, "must lie in [0, 1]"),
        (lambda x: x.reshape(len(x), 28, 28), "flatten"),
        (lambda x: x[:0], "empty"),
        (lambda x: x.astype(str), "pixels must be numbers"),
    ],
)
def test_images_outside_the_unit_range_are_refused_everywhere_with_a_fix(small_mnist, images, message):
    bad = images(small_mnist.x_train[:50].copy())
    model = models.build_autoencoder([10], seed=0)
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        training.train(model, bad, settings=FAST, verbose=False)
    for function in (training.encode, training.reconstruct):
        with pytest.raises(ValueError, match="images"):
            function(model, bad)
    broken = data.MnistData(bad, small_mnist.y_train[: len(bad)], small_mnist.x_test, small_mnist.y_test, "subset", "")
    with pytest.raises(ValueError, match="data.x_train"):
        metrics.measure(metrics.pca_representation(small_mnist.x_train), broken)


@pytest.mark.parametrize("rate", [float("nan"), float("inf"), -1.0, 0, True, "0.001", 10**400])
def test_a_learning_rate_that_cannot_train_is_refused(rate):
    with pytest.raises(ValueError, match="learning_rate"):
        training.TrainingSettings(learning_rate=rate)


def test_whole_and_numpy_numbers_are_stored_as_the_numbers_keras_takes(small_mnist):
    settings = training.TrainingSettings(epochs=np.int64(1), batch_size=np.int32(128), learning_rate=1)
    assert (settings.epochs, settings.batch_size, settings.learning_rate) == (1, 128, 1.0)
    assert [type(value) for value in (settings.epochs, settings.batch_size, settings.learning_rate)] == [int, int, float]
    assert settings == training.TrainingSettings(epochs=1, batch_size=128, learning_rate=1.0)
    model = models.build_autoencoder([10], seed=4)
    history = training.train(model, small_mnist.x_train[:256], settings=settings, seed=4, verbose=False)
    assert len(history.history["loss"]) == 1  # Keras's optimizer refused the int learning rate before


def test_a_diverged_run_is_reported_and_never_cached(small_mnist, tmp_path, capsys):
    settings = training.TrainingSettings(epochs=2, batch_size=64, learning_rate=1e30)
    training.train(
        models.build_autoencoder([10], seed=4),
        small_mnist.x_train,
        settings=settings,
        seed=4,
        reuse=True,
        cache_folder=tmp_path,
    )
    assert "training diverged" in capsys.readouterr().out
    assert not any(tmp_path.iterdir()), "a NaN run must not be reused"


def test_an_unwritable_cache_is_reported_once_and_the_result_is_kept(small_mnist, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(results, "_UNWRITABLE", set())
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    for seed in (4, 5):
        model = models.build_autoencoder([10], seed=seed)
        history = training.train(
            model, small_mnist.x_train, settings=FAST, seed=seed, reuse=True, cache_folder=blocked, verbose=False
        )
        assert len(history.history["loss"]) == FAST.epochs
    assert capsys.readouterr().out.count("cannot be saved") == 1
    assert blocked.read_text() == "not a folder", "nothing of the user's may be overwritten"


def test_a_study_that_cannot_be_saved_is_still_returned(small_mnist, tmp_path, capsys, monkeypatch):
    tiny = study.StudyConfig(depths=(1,), seeds=(0,), settings=training.TrainingSettings(epochs=1, batch_size=128))
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    result = study.load_or_run(tiny, small_mnist, blocked)
    assert len(result.runs) == 2 and "could not be saved" in capsys.readouterr().out


def _save_many(folder: str, worker: int) -> None:
    for round_number in range(20):
        results.save_arrays(
            os.path.join(folder, "shared.npz"),
            f"key-{worker}",
            [np.full(50, worker, dtype="float32")],
            {"round": round_number},
        )


@pytest.mark.slow
def test_concurrent_saves_of_one_slot_never_fail_and_leave_a_whole_file(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_save_many, args=(str(tmp_path), worker)) for worker in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
    assert [process.exitcode for process in workers] == [0, 0, 0, 0]
    assert [path.name for path in tmp_path.iterdir()] == ["shared.npz"], "no temporary file may stay behind"
    found = [results.load_arrays(tmp_path / "shared.npz", f"key-{worker}") for worker in range(4)]
    (arrays, meta) = next(item for item in found if item is not None)
    assert len(set(arrays[0].tolist())) == 1 and meta["round"] == 19


def test_a_folder_where_the_mnist_file_should_be_is_named_and_the_lesson_goes_on(tmp_path, capsys):
    folder = tmp_path / "mnist.npz"
    folder.mkdir()
    loaded = data.load_mnist("full", cache_path=folder, verbose=False)
    assert loaded.source == "subset"
    assert "is a folder" in capsys.readouterr().out and folder.is_dir()


def test_the_suite_runs_in_isolated_folders():
    """tests/conftest.py points every folder the course writes to away from the home folder (and checks it at the end)."""
    home = Path.home().resolve()
    for folder in (results.default_dir(), data.keras_cache_path().parent):
        assert home not in folder.resolve().parents, folder
