"""The student copies run where students get them: in the folder ``release`` writes, outside ``notebooks/``.

Students rarely get the repository: they get the folder an instructor hands out. So this test
releases the course into a temporary folder and runs every copy there, in order, each in a fresh
kernel, with an empty training cache and outside the reference run, as a student would. A copy
must reach its last cell without an error, and a notebook that reads the saved results beside it
must load them, not train again what the book's run loaded.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from unittest import mock

import nbformat
import pytest
from nbclient import NotebookClient

from course_utils import environment, results
from course_utils.maintain import notebooks, release

pytestmark = pytest.mark.slow

COURSE = [path.stem for path in notebooks.course_notebooks()]
# What the course prints when it trains instead of loading a saved result: study.load_or_run ("No
# saved study ..."), study.train_and_measure ("The saved result ... is missing: training ..."),
# training.train at the end of a fit ("trained in 12.3 s").
TRAINING_ANNOUNCEMENTS = ("No saved", "The saved result", "trained in ")


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    """The folder an instructor hands out: what ``release`` writes, and nothing else."""
    folder = tmp_path_factory.mktemp("handout")
    release.release(folder)
    return folder


@pytest.fixture(scope="module")
def student_cache() -> Path:
    """The test run's training cache (tests/conftest.py), shared with nbval's runs of the same notebooks.

    A student's copy trains the same models as the instructor's notebook (same cells, seeds and data),
    and nbval runs that training path already: here a model either of them trained first is loaded,
    so that every notebook's training runs once per test run, not twice.
    """
    return Path(os.environ[results.CACHE_VARIABLE])


def _run(path: Path, cache_dir: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    student = {key: value for key, value in os.environ.items() if key != environment.REFERENCE_RUN_VARIABLE}
    with mock.patch.dict(os.environ, {**student, results.CACHE_VARIABLE: str(cache_dir)}, clear=True):
        NotebookClient(
            notebook,
            timeout=900,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    return notebook


def _reads_saved_results(notebook: nbformat.NotebookNode) -> bool:
    return any(f'"{release.RESULTS_FOLDER}' in cell.source for cell in notebook.cells if cell.cell_type == "code")


def test_release_writes_the_saved_results_beside_the_copies(handout):
    for source, target in release.saved_results(notebooks.course_notebooks(), handout).items():
        assert target.read_bytes() == source.read_bytes(), target
    assert (handout / release.RESULTS_FOLDER / "depth_study" / "jax" / "runs.csv").exists()


@pytest.mark.parametrize("stem", COURSE)
def test_a_student_copy_runs_where_release_wrote_it(handout, student_cache, stem):
    notebook = _run(handout / f"{stem}.ipynb", student_cache)
    errors = [
        f"cell {index}: {output.get('ename')}: {output.get('evalue', '')[:300]}"
        for index, cell in enumerate(notebook.cells)
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert not errors, f"{stem}, run where release wrote it:\n" + "\n".join(errors)
    if _reads_saved_results(notebook):
        printed = [
            line
            for cell in notebook.cells
            for output in cell.get("outputs", [])
            for line in str(output.get("text", "")).splitlines()
        ]
        trained = [line for line in printed if line.strip().startswith(TRAINING_ANNOUNCEMENTS)]
        assert not trained, f"{stem} trained what the book's run loads from its saved results: {trained}"


@pytest.mark.parametrize("stem", ["08_full_size", "09_conclusion"])
def test_a_copy_without_its_saved_studies_says_so_and_goes_on(tmp_path, student_cache, stem):
    """A copy that travelled without results/ (one notebook uploaded on its own): a sentence, no error.

    Notebooks 6 and 7 train what is missing (with an estimate); 8 and 9 read studies no lesson can
    remake, so their tables stay empty and their checks say why.
    """
    release.release(tmp_path, [notebooks.NOTEBOOK_DIR / f"{stem}.ipynb"])
    for study_folder in ("depth_study", "size_study", "going_deeper"):
        shutil.rmtree(tmp_path / release.RESULTS_FOLDER / study_folder, ignore_errors=True)
    notebook = _run(tmp_path / f"{stem}.ipynb", student_cache)
    errors = [output for cell in notebook.cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert not errors, f"{stem} without its saved studies: {[error.get('ename') for error in errors]}"
    printed = "".join(str(output.get("text", "")) for cell in notebook.cells for output in cell.get("outputs", []))
    assert "No saved" in printed and "results/" in printed
