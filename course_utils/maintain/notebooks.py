"""Maintainer tools for the notebooks: execution with a fingerprint, pairing and staleness checks."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import jupytext
import nbformat

from course_utils import cache, data, environment

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent
NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
METADATA_KEY = "course"
PAIRED_FORMAT = "py:percent"
CELL_TIMEOUT_SECONDS = 600
# The kernels that make the committed outputs are the reference run: the book's data, and strict claims.
REFERENCE_ENVIRONMENT = {environment.REFERENCE_RUN_VARIABLE: "1", data.SOURCE_VARIABLE: "subset"}


def course_notebooks(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """The course's numbered notebooks (``NN_name.ipynb``, executed or only paired as ``.py``), in order."""
    stems = {path.stem for pattern in ("[0-9][0-9]_*.ipynb", "[0-9][0-9]_*.py") for path in directory.glob(pattern)}
    return [directory / f"{stem}.ipynb" for stem in sorted(stems)]


def fingerprint(notebook: nbformat.NotebookNode, package_dir: Path = PACKAGE_DIR) -> str:
    """A key of the notebook's cells and of the code of every module a notebook can import.

    Comments, docstrings and layout do not count (:func:`course_utils.cache.code_without_docstrings`),
    nor do the maintainer tools in ``maintain/``, which no notebook imports; the library versions
    are the recorded ones that made the committed outputs.
    """
    cells = [(cell.cell_type, cell.source) for cell in notebook.cells]
    code = {
        str(path.relative_to(package_dir)): cache.code_without_docstrings(path)
        for path in sorted(package_dir.rglob("*.py"))
        if "maintain" not in path.relative_to(package_dir).parts
    }
    return cache.key(cells, code, versions=environment.RECORDED_VERSIONS)


def stale_reason(path: Path) -> str | None:
    """Why the committed outputs of a notebook may not be what the current code produces, or None."""
    if not path.exists():
        return f"{path.name} does not exist: run `python -m course_utils execute {path.with_suffix('.py')}`"
    notebook = nbformat.read(path, as_version=4)
    recorded = notebook.metadata.get(METADATA_KEY, {}).get("fingerprint")
    if recorded is None:
        return f"{path.name} was never executed with `python -m course_utils execute`"
    if recorded != fingerprint(notebook):
        return (
            f"{path.name} or course_utils changed since the notebook was executed: "
            f"run `python -m course_utils execute {path}`"
        )
    return None


def paired_script_text(path: Path) -> str:
    """The ``py:percent`` text that jupytext writes for a notebook."""
    return jupytext.writes(jupytext.read(path), fmt=PAIRED_FORMAT)


def pairing_problem(path: Path) -> str | None:
    """Why a notebook and its ``.py`` pair disagree, or None when they match."""
    if not path.exists():
        return f"{path.name} does not exist yet: execute {path.with_suffix('.py').name}"
    script = path.with_suffix(".py")
    if not script.exists():
        return f"{path.name} has no paired {script.name}"
    if paired_script_text(path).strip() != script.read_text().strip():
        return f"{path.name} and {script.name} differ: run `jupytext --sync {path}`"
    return None


def execute(path: Path, timeout: int = CELL_TIMEOUT_SECONDS) -> float:
    """Sync a notebook from its ``.py`` pair, run it top to bottom in a fresh kernel and stamp it.

    The kernel gets an empty training cache, so the stored outputs show the training itself, and
    runs as the reference run: the course's data, and a claim that does not hold stops it.

    Returns:
        The wall time of the run in seconds.
    """
    script = path.with_suffix(".py")
    notebook = jupytext.read(script) if script.exists() else nbformat.read(path, as_version=4)
    if path.exists():
        _keep_outputs_metadata(notebook, nbformat.read(path, as_version=4))
    started = time.perf_counter()
    with _reference_kernel_environment():
        _run(notebook, path.parent, timeout)
    seconds = time.perf_counter() - started
    notebook.metadata[METADATA_KEY] = {"fingerprint": fingerprint(notebook)}
    notebook.metadata.setdefault("jupytext", {})["formats"] = f"ipynb,{PAIRED_FORMAT}"
    nbformat.write(notebook, path)
    script.write_text(paired_script_text(path))
    return seconds


def run_elsewhere(path: Path, directory: Path, first_cell: str = "", timeout: int = CELL_TIMEOUT_SECONDS):
    """Run a notebook's ``.py`` pair top to bottom in ``directory`` as a student would, storing nothing.

    The kernel gets this process's environment as it is (not the reference run's), so tests can
    try the course on other data or another backend. ``first_cell`` runs before the notebook's own.

    Returns:
        The executed notebook; a cell that raises stops it with ``nbclient``'s ``CellExecutionError``.
    """
    notebook = jupytext.read(path.with_suffix(".py"))
    if first_cell:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(first_cell))
    _run(notebook, directory, timeout)
    return notebook


def _run(notebook: nbformat.NotebookNode, directory: Path, timeout: int) -> None:
    from nbclient import NotebookClient

    NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(directory)}}
    ).execute()


@contextlib.contextmanager
def _reference_kernel_environment() -> Iterator[None]:
    """Point the kernel at an empty reuse cache (the outputs show real training) and make it the reference run."""
    with (
        tempfile.TemporaryDirectory() as empty,
        mock.patch.dict(os.environ, {**REFERENCE_ENVIRONMENT, cache.CACHE_VARIABLE: empty}),
    ):
        yield


def _keep_outputs_metadata(notebook: nbformat.NotebookNode, previous: nbformat.NotebookNode) -> None:
    for key in ("kernelspec", "language_info"):
        if key in previous.metadata:
            notebook.metadata.setdefault(key, previous.metadata[key])
