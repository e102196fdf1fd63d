"""The one way to save results: keys from what decides a result, slots and folders replaced in one step, checked on load."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from course_utils import data, environment, results, study, training
from course_utils.backend import keras
from course_utils.maintain import notebooks

pytestmark = pytest.mark.backend

SAVED_STUDY = Path(__file__).resolve().parents[1] / "notebooks" / "results" / "depth_study"
VERSIONS = {"keras": "3.0", "backend": "tensorflow", "tensorflow": "2.0"}


def test_key_depends_on_every_part_the_versions_and_the_code_version(monkeypatch):
    images = np.zeros((3, 4), dtype="float32")
    base = results.key(images, {"epochs": 30}, 42, versions=VERSIONS)
    assert base == results.key(images.copy(), {"epochs": 30}, 42, versions=VERSIONS)
    assert base != results.key(images + 1, {"epochs": 30}, 42, versions=VERSIONS)
    assert base != results.key(images.reshape(4, 3), {"epochs": 30}, 42, versions=VERSIONS), "the shape counts"
    assert base != results.key(images, {"epochs": 31}, 42, versions=VERSIONS)
    assert base != results.key(images, {"epochs": 30}, 43, versions=VERSIONS)
    assert base != results.key(images, {"epochs": 30}, 42, versions={**VERSIONS, "tensorflow": "2.1"})
    monkeypatch.setattr(results, "CODE_VERSION", results.CODE_VERSION + 1)
    assert base != results.key(images, {"epochs": 30}, 42, versions=VERSIONS)


def test_library_versions_name_keras_and_the_backend_in_use():
    found = results.library_versions()
    assert found["keras"] == keras.__version__ and found["backend"] == keras.backend.backend()
    assert found[found["backend"]] not in ("", "unknown")


def test_a_slot_is_read_only_with_its_key_and_a_new_result_replaces_it(tmp_path):
    slot = tmp_path / "run.json"
    results.save_json(slot, "first", {"loss": [0.3]})
    assert results.load_json(slot, "first") == {"loss": [0.3]}
    assert results.load_json(slot, "second") is None
    results.save_json(slot, "second", {"loss": [0.2]})
    assert results.load_json(slot, "first") is None and results.load_json(slot, "second") == {"loss": [0.2]}
    assert [path.name for path in tmp_path.iterdir()] == ["run.json"], "no superseded file may stay behind"


def test_arrays_round_trip_with_their_meta(tmp_path):
    slot = tmp_path / "weights.npz"
    arrays = [np.arange(6, dtype="float32").reshape(2, 3), np.ones(3)]
    results.save_arrays(slot, "key", arrays, {"loss": [0.5, 0.4]})
    loaded, meta = results.load_arrays(slot, "key")
    assert meta == {"loss": [0.5, 0.4]} and len(loaded) == 2
    for saved, original in zip(loaded, arrays, strict=True):
        np.testing.assert_array_equal(saved, original)
    assert results.load_arrays(slot, "other") is None


def test_an_interrupted_write_keeps_the_old_result(tmp_path, monkeypatch):
    slot = tmp_path / "run.json"
    results.save_json(slot, "old", {"loss": [0.3]})

    def fail(*arguments, **options):
        raise KeyboardInterrupt

    monkeypatch.setattr(json, "dumps", fail)
    with pytest.raises(KeyboardInterrupt):
        results.save_json(slot, "new", {"loss": [0.2]})
    monkeypatch.undo()
    assert results.load_json(slot, "old") == {"loss": [0.3]}
    assert [path.name for path in tmp_path.iterdir()] == ["run.json"], "the partial file must be removed"


def test_a_damaged_slot_is_named_and_made_again(tmp_path, capsys):
    slot = tmp_path / "weights.npz"
    slot.write_bytes(b"damaged")
    assert results.load_arrays(slot, "key") is None
    printed = capsys.readouterr().out
    assert str(slot) in printed and "making it again" in printed


@pytest.mark.parametrize("damage", ["a weight", "a loss", "an array's type", "the hash lost"])
def test_a_run_edited_after_saving_is_named_and_not_used(tmp_path, capsys, damage):
    slot = tmp_path / "weights.npz"
    arrays = [np.arange(6, dtype="float32").reshape(2, 3), np.ones(3)]
    results.save_arrays(slot, "key", arrays, {"loss": [0.5, 0.4]})
    with np.load(slot) as saved:
        entries = dict(saved)
    if damage == "a weight":
        entries["arr_0"] = entries["arr_0"] + np.float32(1e-3)
    elif damage == "a loss":
        entries[results.META_ENTRY] = np.array(json.dumps({"loss": [0.5, 0.1]}))
    elif damage == "an array's type":
        entries["arr_1"] = entries["arr_1"].astype("float32")
    else:
        del entries[results.DIGEST_ENTRY]
    np.savez(slot, **entries)
    assert results.load_arrays(slot, "key") is None
    printed = capsys.readouterr().out
    assert str(slot) in printed and "not used" in printed


def test_a_payload_with_number_keys_passes_its_own_hash(tmp_path, capsys):
    slot = tmp_path / "run.json"
    results.save_json(slot, "key", {"by_epoch": {2: 0.3, 10: 0.2}, "mixed": {1: "a", "b": 2}})
    assert results.load_json(slot, "key") == {"by_epoch": {"2": 0.3, "10": 0.2}, "mixed": {"1": "a", "b": 2}}
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("damage", ["a score", "the hash lost"])
def test_a_measured_run_edited_after_saving_is_named_and_not_used(tmp_path, capsys, damage):
    slot = tmp_path / "run.json"
    results.save_json(slot, "key", {"history": {"loss": [0.3, 0.2]}, "scores": {"bce": 0.25}})
    stored = json.loads(slot.read_text())
    if damage == "a score":
        stored["scores"]["bce"] = 0.15
    else:
        del stored[results.DIGEST_ENTRY]
    slot.write_text(json.dumps(stored))
    assert results.load_json(slot, "key") is None and results.load_json(slot, None) is None
    printed = capsys.readouterr().out
    assert str(slot) in printed and "not used" in printed


def test_every_run_saved_with_the_course_matches_its_hash(capsys):
    slots = sorted((SAVED_STUDY.parent).glob("*/*/*.weights.npz")) + sorted(SAVED_STUDY.parent.glob("going_deeper/*/*.json"))
    assert len(slots) >= 6 + 36
    for slot in slots:
        loaded = results.load_arrays(slot, None) if slot.suffix == ".npz" else results.load_json(slot, None)
        assert loaded is not None, f"{slot}: {capsys.readouterr().out}"


def test_docstrings_comments_and_layout_do_not_change_the_code_key(tmp_path):
    def code(path: Path, text: str) -> str:
        path.write_text(text)
        return notebooks.code_without_docstrings(path)

    module = tmp_path / "module.py"
    plain = code(module, 'def f(x):\n    """Old words."""\n    return x + 1\n')
    assert plain == code(module, '"""A module."""\n\n\ndef f(x):  # why\n    """New words."""\n    return (x + 1)\n')
    assert plain != code(module, 'def f(x):\n    """Old words."""\n    return x + 2\n')
    assert "Pass" in code(module, 'def g():\n    """Only a docstring."""\n')


def test_saved_study_still_reproduces(offline_mnist):
    """A guard on CODE_VERSION: one run of the saved study, trained again now, gives the saved numbers.

    If this fails after a change to models, training, metrics or study, the change alters results:
    raise ``results.CODE_VERSION`` and make the saved results again (CONTRIBUTING.md). On the
    processor that made the study the run repeats exactly; on another one floating-point sums may
    round differently, and 30 epochs can carry that as far as another seed would, so there the
    run must only lie within four seed standard deviations of the saved one.
    """
    backend = keras.backend.backend()
    folder = study.backend_directory(SAVED_STUDY, backend)
    saved = study.load_saved(SAVED_STUDY, backend)
    assert saved is not None, f"no saved study in {folder}"
    made_with = results.load_folder(folder).meta["made_with"]
    same_machine = made_with == study.made_with()  # the processor and every library version
    row = next(run for run in saved.runs if run["model"] == study.model_name(3) and run["seed"] == 0)
    spread = {item["model"]: item for item in saved.summary()}[row["model"]]
    again = study.measure_depth(3, 0, offline_mnist, saved.config.settings)
    for name in ("bce", "knn_accuracy", "trustworthiness", "silhouette"):
        tolerance = 1e-9 if same_machine else 4 * spread[f"{name}_sd"]
        assert math.isclose(again[name], row[name], rel_tol=0, abs_tol=tolerance), (
            f"{name}: {again[name]} now, {row[name]} saved. Your change alters what a run produces: raise "
            "CODE_VERSION in course_utils/results.py by one, then make the saved results again as CONTRIBUTING.md's "
            "'Saved results' section says (the depth, converged and size studies on both backends, then "
            "`python -m course_utils execute`)."
        )


def test_the_saved_study_was_made_with_the_recorded_versions():
    """The saved studies must come from the versions pinned in constraints.txt (environment.RECORDED_VERSIONS)."""
    for backend in ("tensorflow", "jax"):
        made_with = results.load_folder(study.backend_directory(SAVED_STUDY, backend)).meta["made_with"]
        assert made_with["keras"] == environment.RECORDED_VERSIONS["keras"]
        assert made_with[backend] == environment.RECORDED_VERSIONS[backend]


def test_data_description_and_training_defaults_are_part_of_the_study_key(offline_mnist):
    config = study.StudyConfig()
    key = study.fingerprint(config, offline_mnist, versions=VERSIONS)
    fewer = data.MnistData(
        offline_mnist.x_train[:-1], offline_mnist.y_train[:-1], offline_mnist.x_test, offline_mnist.y_test, "subset", ""
    )
    assert study.fingerprint(config, fewer, versions=VERSIONS) != key
    longer = study.StudyConfig(settings=training.TrainingSettings(epochs=31))
    assert study.fingerprint(longer, offline_mnist, versions=VERSIONS) != key
    assert study.fingerprint(study.DEPTH_STUDY, offline_mnist, versions=VERSIONS) != key


def _saved_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "study"
    tables = {"runs": pd.DataFrame({"model": ["A", "A"], "seed": [0, 1], "bce": [0.2, 0.3]})}
    results.save_folder(folder, "the key", {"data": "tiny"}, tables)
    return folder


def test_a_saved_folder_loads_with_its_key_and_any_key_when_none_is_given(tmp_path):
    folder = _saved_folder(tmp_path)
    assert sorted(path.name for path in folder.iterdir()) == ["result.json", "runs.csv"]
    loaded = results.load_folder(folder, "the key")
    assert loaded.meta["data"] == "tiny" and loaded.tables["runs"]["seed"].tolist() == ["0", "1"]
    assert results.load_folder(folder, "another key") is None
    assert results.load_folder(folder) is not None
    assert (folder / "runs.csv").resolve() in results.files_read(), "a notebook's fingerprint covers what it read"


@pytest.mark.parametrize("damage", ["edit a value", "drop a row", "delete the file"])
def test_a_saved_folder_edited_after_saving_is_named_and_not_used(tmp_path, capsys, damage):
    folder = _saved_folder(tmp_path)
    table = folder / "runs.csv"
    if damage == "delete the file":
        table.unlink()
    else:
        lines = table.read_text().splitlines()
        table.write_text("\n".join(lines[:-1] if damage == "drop a row" else [*lines[:-1], "A,1,0.1"]) + "\n")
    assert results.load_folder(folder, "the key") is None
    printed = capsys.readouterr().out
    assert "runs.csv" in printed and "not used" in printed


@pytest.mark.parametrize("change", ["a row twice", "a seed it does not make"])
def test_a_study_with_a_run_twice_or_a_stranger_is_refused(tmp_path, capsys, change):
    saved = study.load_saved(SAVED_STUDY, "tensorflow")
    run = next(run for run in saved.runs if run["model"] == "Autoencoder_2" and run["seed"] == 3)
    added = run if change == "a row twice" else {**run, "seed": 99}
    folder = tmp_path / "tensorflow"
    study.save(study.StudyResult(saved.config, [*saved.runs, added], saved.data_description), folder, "key")
    assert study.load(folder, saved.config, "key") is None
    printed = capsys.readouterr().out
    assert (
        "holds twice Autoencoder_2 seed 3" if change == "a row twice" else "does not make: Autoencoder_2 seed 99"
    ) in printed


@pytest.mark.parametrize("change", ["a row lost", "a row twice"])
def test_a_size_study_whose_rows_differ_from_its_configuration_is_refused(tmp_path, capsys, change):
    from course_utils import size_study

    saved = size_study.load_saved(SAVED_STUDY.parent / "size_study")
    assert len(saved.runs) == len(saved.config.sizes) * (len(saved.config.depths) + 1) * len(saved.config.seeds)
    runs = saved.runs[1:] if change == "a row lost" else [*saved.runs, saved.runs[0]]
    first = saved.runs[0]
    size_study.save(size_study.SizeStudyResult(saved.config, runs, saved.data_description), tmp_path, "key")
    assert size_study.load(tmp_path, saved.config, "key") is None
    named = f"{first['train_size']:,} images {first['model']} seed {first['seed']}"
    assert f"{'lacks' if change == 'a row lost' else 'holds twice'} {named}" in capsys.readouterr().out


def test_a_study_that_lacks_a_run_of_its_configuration_is_refused(tmp_path, capsys):
    saved = study.load_saved(SAVED_STUDY, "tensorflow")
    config = saved.config
    kept = [run for run in saved.runs if not (run["model"] == "Autoencoder_2" and run["seed"] == 3)]
    folder = tmp_path / "tensorflow"
    study.save(study.StudyResult(config, kept, saved.data_description), folder, "key")
    assert study.load(folder, config, "key") is None
    assert "Autoencoder_2 seed 3" in capsys.readouterr().out
