"""The command line: every bad input is a one-line error before any data is loaded or any model trained."""

import subprocess
import sys

import pytest
from command_line import refuse, usage_error

from course_utils import compare, data, study
from course_utils.backend import keras
from course_utils.maintain import notebooks
from course_utils.maintain.cli import build_parser, main

pytestmark = pytest.mark.backend


@pytest.fixture
def no_work(monkeypatch):
    """Any data loading, training or notebook run fails the test."""
    monkeypatch.setattr(data, "load_mnist", refuse("data loading"))
    monkeypatch.setattr(study, "run_study", refuse("the study"))
    monkeypatch.setattr(compare, "train_article_models", refuse("training"))
    monkeypatch.setattr(notebooks, "execute", refuse("a notebook run"))


@pytest.mark.parametrize(
    "argv, says",
    [
        (["study", "--epochs", "0"], "--epochs: 0 is not a positive whole number"),
        (["compare", "--epochs", "0"], "--epochs: 0 is not a positive whole number"),
        (["study", "--epochs", "-3"], "--epochs: -3 is not a positive whole number"),
        (["study", "--epochs", "three"], "--epochs: 'three' is not a whole number"),
        (["study", "--epochs", "3", "--epochs", "5"], "--epochs: given twice"),
        (["compare", "--output", "a.png", "--output", "b.png"], "--output: given twice"),
        (["study", "--source", "subset", "--source", "full"], "--source: given twice"),
        (["study", "--seeds", "5", "5"], "--seeds: 5 given twice"),
        (["study", "--seeds", "-1"], "--seeds: seed -1 is not between 0 and 4294967295"),
        (["compare", "--seed", "-1"], "--seed: seed -1 is not between 0 and 4294967295"),
        (["compare", "--seed", str(2**32)], "--seed: seed 4294967296 is not between 0 and 4294967295"),
        (["study", "--depths", "0"], "--depths: depth 0 is not one of 1, 2, 3, 4, 5"),
        (["study", "--depths", "6"], "--depths: depth 6 is not one of 1, 2, 3, 4, 5"),
        (["study", "--depths", "1", "2", "1"], "--depths: 1 given twice"),
        (["execute", "notebooks/99_missing.py"], "no notebook notebooks/99_missing.py"),
        (["execute", "course_utils/data.py"], "course_utils/data.py is not a paired notebook"),
        (["release", "nowhere/02_x.ipynb"], "no notebook nowhere/02_x.ipynb"),
        (["release", "notebooks/02_one_hidden_layer.txt"], "give a notebook as .py or .ipynb"),
    ],
)
def test_a_bad_value_is_a_usage_error_before_any_work(argv, says, no_work, capsys):
    assert says in usage_error(argv, capsys)


def test_the_values_given_are_the_values_used():
    arguments = build_parser().parse_args(["study", "--depths", "3", "1", "--seeds", "0", "7", "--epochs", "2"])
    assert (arguments.depths, arguments.seeds, arguments.epochs) == ([3, 1], [0, 7], 2)
    defaults = build_parser().parse_args(["study"])
    assert (defaults.depths, defaults.seeds, defaults.epochs) == (None, None, None)


def test_the_study_trains_the_epochs_given(tmp_path, monkeypatch, capsys):
    seen = {}

    def load_or_run(config, mnist, directory, max_minutes, approve):
        seen["config"] = config
        raise KeyboardInterrupt

    monkeypatch.setattr(study, "load_or_run", load_or_run)
    with pytest.raises(KeyboardInterrupt):
        main(["study", "--epochs", "2", "--seeds", "3", "4", "--output", str(tmp_path)])
    assert seen["config"].settings.epochs == 2 and seen["config"].seeds == (3, 4)
    assert seen["config"].depths == study.StudyConfig().depths


def test_the_study_output_must_be_a_writable_folder(tmp_path, no_work, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    assert f"--output {a_file} is a file, not a folder" in usage_error(["study", "--output", str(a_file)], capsys)
    inside_a_file = a_file / "study"
    assert f"--output {inside_a_file} is not writable" in usage_error(["study", "--output", str(inside_a_file)], capsys)
    assert a_file.read_text() == "mine"


def test_the_study_backend_folder_must_be_writable_too(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(study, "run_study", refuse("the study"))
    (tmp_path / keras.backend.backend()).write_text("not a folder")
    assert "is a file, not a folder" in usage_error(["study", "--seeds", "0", "1", "--output", str(tmp_path)], capsys)


def test_the_compare_output_must_be_a_picture_file_in_a_writable_folder(tmp_path, no_work, capsys):
    assert f"--output {tmp_path} is a folder" in usage_error(["compare", "--output", str(tmp_path)], capsys)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    beneath = a_file / "comparison.png"
    assert f"folder of --output, {a_file} is a file" in usage_error(["compare", "--output", str(beneath)], capsys)
    unknown = tmp_path / "comparison.xyz"
    assert "must end in one of .png" in usage_error(["compare", "--output", str(unknown)], capsys)
    assert not unknown.exists() and a_file.read_text() == "mine"


def test_a_bad_data_source_variable_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(data.SOURCE_VARIABLE, "everything")
    monkeypatch.setattr(compare, "train_article_models", refuse("training"))
    assert "'everything'; use one of subset, full" in usage_error(["compare", "--output", str(tmp_path / "c.png")], capsys)


def test_the_help_does_not_load_keras():
    code = "import sys; from course_utils.maintain.cli import build_parser; build_parser(); print('keras' in sys.modules)"
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert printed.strip() == "False"


def test_a_maintainer_command_on_the_student_install_says_what_to_install(monkeypatch, capsys, tmp_path):
    import course_utils.maintain

    monkeypatch.setitem(sys.modules, "jupytext", None)  # as on the student install (requirements.txt only)
    for name in ("release", "notebooks"):  # imported again, as in a new process
        monkeypatch.delitem(sys.modules, f"course_utils.maintain.{name}", raising=False)
        monkeypatch.delattr(course_utils.maintain, name, raising=False)
    with pytest.raises(SystemExit) as stopped:
        main(["release", "--output", str(tmp_path / "student")])
    assert stopped.value.code == 2
    said = capsys.readouterr().err
    assert "jupytext is not installed" in said and "pip install -r requirements-dev.txt" in said


def test_execute_runs_only_the_stale_notebooks_unless_told_all(monkeypatch, capsys):
    ran = []
    monkeypatch.setattr(notebooks, "execute", lambda path: ran.append(path.stem) or 1.0)
    stale = {"03_two_hidden_layers"}
    monkeypatch.setattr(notebooks, "stale_reason", lambda path: "stale" if path.stem in stale else None)
    assert main(["execute"]) == 0 and ran == ["03_two_hidden_layers"]
    ran.clear()
    stale.clear()
    assert main(["execute"]) == 0 and ran == []
    assert "Every notebook is up to date" in capsys.readouterr().out
    assert main(["execute", "--all"]) == 0 and ran == [path.stem for path in notebooks.course_notebooks()]


def _paired_notebook(folder):
    """A small paired notebook (``.py`` with its jupytext header, and ``.ipynb``) in ``folder``."""
    import jupytext
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    notebook.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    path = folder / "09_small.ipynb"
    nbformat.write(notebook, path)
    jupytext.write(notebook, path.with_suffix(".py"), fmt="py:percent")
    return path


_CUT_SHORT = object()  # the first half of the notebook's own text
DAMAGES = {
    "not JSON": (".ipynb", "{not json"),
    "JSON, not a notebook": (".ipynb", "[]"),
    "a notebook without cells": (".ipynb", '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}'),
    "cut short": (".ipynb", _CUT_SHORT),
    "not UTF-8": (".ipynb", b"\xff\xfe{}"),
    "a .py whose header is not YAML": (".py", "# ---\n# jupyter:\n#   jupytext: [\n# ---\n\n# %%\nx = 1\n"),
    "a .py that is not UTF-8": (".py", b"# %%\nx = '\xff'\n"),
}


@pytest.mark.parametrize("command", [["check-pairs"], ["execute"], ["execute", "NOTEBOOK"]])
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_notebook_is_one_line_naming_it_and_the_fix(tmp_path, monkeypatch, no_work, capsys, damage, command):
    path = _paired_notebook(tmp_path)
    suffix, text = DAMAGES[damage]
    damaged = path.with_suffix(suffix)
    text = damaged.read_text()[: len(damaged.read_text()) // 2] if text is _CUT_SHORT else text
    (damaged.write_bytes if isinstance(text, bytes) else damaged.write_text)(text)
    before = damaged.read_bytes()
    monkeypatch.setattr(notebooks, "course_notebooks", lambda directory=None: [path])
    said = usage_error([str(damaged) if word == "NOTEBOOK" else word for word in command], capsys)
    assert f"cannot read {damaged}" in said and f"git checkout -- {damaged}" in said
    if suffix == ".ipynb":  # the .py is the source: the .ipynb can be made again from it
        assert f"python -m course_utils execute {path.with_suffix('.py')}" in said
    assert damaged.read_bytes() == before, "a damaged notebook is left as it is"


@pytest.mark.parametrize("damage", [name for name, (suffix, _) in DAMAGES.items() if suffix == ".py"])
def test_colab_cell_on_a_damaged_pair_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys, damage):
    healthy = _paired_notebook(tmp_path)
    path = healthy.with_name("10_damaged.ipynb")
    path.with_suffix(".py").write_text(healthy.with_suffix(".py").read_text())
    text = DAMAGES[damage][1]
    script = path.with_suffix(".py")
    (script.write_bytes if isinstance(text, bytes) else script.write_text)(text)
    before = {file: file.read_bytes() for file in tmp_path.iterdir()}
    monkeypatch.setattr(notebooks, "course_notebooks", lambda directory=None: [healthy, path])
    said = usage_error(["colab-cell"], capsys)
    assert f"cannot read {script}" in said and f"git checkout -- {script}" in said
    assert {file: file.read_bytes() for file in tmp_path.iterdir()} == before, "no pair is written"


@pytest.mark.parametrize("stamp", ["a string", {"fingerprint": "x", "modules": [1], "saved_results": None}])
def test_a_damaged_execution_stamp_makes_the_notebook_stale(tmp_path, monkeypatch, capsys, stamp):
    import nbformat

    path = _paired_notebook(tmp_path)
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata[notebooks.METADATA_KEY] = stamp
    nbformat.write(notebook, path)
    monkeypatch.setattr(notebooks, "course_notebooks", lambda directory=None: [path])
    assert main(["check-pairs"]) == 1
    assert "09_small.ipynb was never executed with this version" in capsys.readouterr().out
