"""Maintainer tools for the notebooks: execution with a fingerprint, pairing and staleness checks,
and the Colab cell that opens every notebook."""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from unittest import mock

import jupytext
import nbformat
import yaml

from course_utils import data, environment, results

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, installed as tomli (pyproject.toml's dependencies)
    import tomli as tomllib

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent
NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
METADATA_KEY = "course"
PAIRED_FORMAT = "py:percent"
CELL_TIMEOUT_SECONDS = 600
# The kernels that make the committed outputs are the reference run: the book's data, and strict claims.
REFERENCE_ENVIRONMENT = {environment.REFERENCE_RUN_VARIABLE: "1", data.SOURCE_VARIABLE: "subset"}
# The one place that names the course's repository: [project.urls] Repository in pyproject.toml.
PYPROJECT = PROJECT_DIR / "pyproject.toml"
REPOSITORY_KEY = "Repository"
# A value still to be filled in, such as https://github.com/YOUR-ACCOUNT/YOUR-REPOSITORY or <url>.
PLACEHOLDER = re.compile(r"YOUR[-_]|<[^>]*>", re.IGNORECASE)
# An https address that a shell command takes as it is (no spaces, quotes, $ or braces).
REPOSITORY_PATTERN = re.compile(r"https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~-]+)+/?")
# The Colab cell: the first code cell of every notebook, dropped from the book by its tag.
COLAB_TAG = "remove-cell"
COLAB_TEST = '"google.colab" in sys.modules'
COLAB_FOLDER = "/content/course"
_COLAB_INSTALL = textwrap.dedent(
    """\
    # On Google Colab, which opens a notebook without the rest of the
    # course: fetch the course, install it and work in its notebooks/
    # folder. Anywhere else this cell does nothing.
    import sys

    if {test}:
        import importlib
        import os

        if not os.path.isdir("{folder}"):
            print("Fetching the course ...")
            !git clone --quiet --depth 1 {url} {folder}
        if not os.path.isdir("{folder}/notebooks"):
            raise RuntimeError("The course could not be fetched: see above.")
        print("Installing the course and its libraries (may take a minute) ...")
        %pip install --quiet {folder}
        importlib.invalidate_caches()
        sys.path.insert(0, "{folder}")
        importlib.import_module("course_utils")
        %cd {folder}/notebooks
        print("The course is installed: go on with the next cell.")"""
)
_COLAB_WITHOUT_REPOSITORY = textwrap.dedent(
    """\
    # On Google Colab, which opens a notebook without the rest of the
    # course, the course must be installed first. Anywhere else this cell
    # does nothing.
    import sys

    if {test}:
        import importlib.util

        importlib.invalidate_caches()
        if importlib.util.find_spec("course_utils") is None:
            raise RuntimeError(
                "This copy of the course does not name the repository it "
                "comes from, so it cannot install itself on Colab. Install "
                "it first, in a new cell: %pip install git+<the address of "
                "the repository you got the course from>. Or upload the "
                "course folder (the one with pyproject.toml), then run "
                "%pip install <that folder> and %cd <that folder>/notebooks."
                " Then run this notebook again from the top."
            )"""
)


JUPYTEXT_VERSION_LINE = re.compile(r"#\s+jupytext_version:")
# What reading a damaged notebook raises: not JSON or UTF-8 (ValueError), JSON of another shape (KeyError,
# AttributeError, TypeError, nbformat's ValidationError), a .py header that is not YAML, a file that cannot be opened.
READ_ERRORS = (OSError, ValueError, KeyError, AttributeError, TypeError, nbformat.ValidationError, yaml.YAMLError)


class NotebookReadError(ValueError):
    """A notebook file that cannot be read, with what to do about it (its message is one line)."""


def display_path(path: Path) -> str:
    """``path`` as a maintainer types it: relative to the working folder when inside it."""
    path = Path(path)
    return str(path.relative_to(Path.cwd()) if path.is_absolute() and path.is_relative_to(Path.cwd()) else path)


def _read_failure(path: Path, error: BaseException) -> NotebookReadError:
    """The one-line error for a notebook file that ``error`` stopped from being read: the file, why, and the fix."""
    script, executed = path.with_suffix(".py"), path.with_suffix(".ipynb")
    fix = f"restore it with `git checkout -- {display_path(path)}`"
    if path == executed and script.exists():  # the .py is the source: the .ipynb can be made again
        fix += f", or delete it and make it again with `python -m course_utils execute {display_path(script)}`"
    elif path == script and executed.exists():
        fix += f", or write it again from its .ipynb with `jupytext --to {PAIRED_FORMAT} {display_path(executed)}`"
    return NotebookReadError(f"cannot read {display_path(path)} ({_unreadable_because(error)}): {fix}")


def _unreadable_because(error: BaseException) -> str:
    """Why a notebook file could not be read, in a few words."""
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8 text"
    if isinstance(error, nbformat.reader.NotJSONError):
        return "it is not JSON: cut short, or left with merge-conflict markers"
    if isinstance(error, yaml.YAMLError):
        return "its jupytext header is not YAML"
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    if isinstance(error, nbformat.ValidationError):
        return "it is not a notebook: " + _invalid_part(error)
    if isinstance(error, ValueError) and str(error):  # e.g. nbformat 9, or a .py header's unknown format
        return "it is not a notebook: " + textwrap.shorten(str(error).splitlines()[0], 120)
    return "its JSON is not a notebook"  # an AttributeError or TypeError of nbformat's, which would only confuse


def _invalid_part(error: nbformat.ValidationError) -> str:
    """Where a notebook breaks its format and how (``cells/0: 'source' is a required property``), short."""
    where = "/".join(map(str, getattr(error, "absolute_path", ())))
    message = (str(getattr(error, "message", error)).splitlines() or ["not what the notebook format allows"])[0]
    what = "not what the notebook format allows" if message.startswith("{") else message  # not a whole cell's dump
    return textwrap.shorten(f"{where}: {what}" if where else what, 120)


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn whatever reading ``path`` raises into a :class:`NotebookReadError` that names it and the fix."""
    try:
        yield
    except READ_ERRORS as error:
        raise _read_failure(Path(path), error) from None


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """A notebook file, ``.ipynb`` or a ``.py`` pair, as a valid nbformat 4 notebook.

    The maintainer commands read notebooks here, so that a damaged file gets one message wherever it is met.

    Raises:
        NotebookReadError: If it cannot be read, is not JSON, UTF-8 or a notebook, or its jupytext
            header is not YAML; the message names the file and how to restore it.
    """
    with _reading(path):
        notebook = jupytext.read(path) if Path(path).suffix == ".py" else nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        return notebook


def check_readable(path: Path) -> None:
    """Read a notebook's ``.py`` pair and ``.ipynb`` (those that exist), so that a damaged one stops a command first.

    Raises:
        NotebookReadError: For the first that cannot be read.
    """
    for file in (path.with_suffix(".py"), path.with_suffix(".ipynb")):
        if file.exists():
            read_notebook(file)


def course_notebooks(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """The course's numbered notebooks (``NN_name.ipynb``, executed or only paired as ``.py``), in order."""
    stems = {path.stem for pattern in ("[0-9][0-9]_*.ipynb", "[0-9][0-9]_*.py") for path in directory.glob(pattern)}
    return [directory / f"{stem}.ipynb" for stem in sorted(stems)]


def fingerprint(
    notebook: nbformat.NotebookNode,
    modules: Sequence[str],
    saved_results: Sequence[str],
    package_dir: Path = PACKAGE_DIR,
    notebook_dir: Path = NOTEBOOK_DIR,
) -> str:
    """A key of the notebook's cells, the code of the course modules it loaded and the saved results it read.

    Args:
        notebook: The notebook; its cells' types and sources count, not their outputs.
        modules: The course modules its run loaded, as paths inside ``package_dir`` (``"study.py"``).
            Comments, docstrings and layout do not count (:func:`code_without_docstrings`).
        saved_results: The saved result files its run read, as paths inside ``notebook_dir``; their bytes count.
        package_dir: Where the modules are.
        notebook_dir: Where the notebook is.

    The library versions are the recorded ones that made the committed outputs.
    """
    cells = [(cell.cell_type, cell.source) for cell in notebook.cells]
    code = {name: _code_or_absence(package_dir / name) for name in sorted(modules)}
    files = {name: _bytes_or_absence(notebook_dir / name) for name in sorted(saved_results)}
    return results.key(cells, code, files, versions=environment.RECORDED_VERSIONS)


def _code_or_absence(path: Path) -> str:
    return code_without_docstrings(path) if path.is_file() else "missing"


def _bytes_or_absence(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def code_without_docstrings(path: Path) -> str:
    """A Python file's syntax tree without comments, docstrings or layout: what its code does, not how it reads.

    A notebook's outputs show what the code it loads does, so any change of that code counts for
    its fingerprint, but a reworded docstring does not.
    """
    tree = ast.parse(Path(path).read_text())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def recorded_fingerprint(path: Path, package_dir: Path = PACKAGE_DIR) -> tuple[str | None, str | None]:
    """The fingerprint stamped in an executed notebook, and the one its cells and recorded inputs have now."""
    notebook = read_notebook(path)
    stamp = notebook.metadata.get(METADATA_KEY, {})
    if not isinstance(stamp, dict):  # a damaged stamp counts as none: the notebook is executed again
        return None, None
    if not all(_is_list_of_text(stamp.get(key)) for key in ("modules", "saved_results")):
        return stamp.get("fingerprint"), None
    now = fingerprint(notebook, stamp["modules"], stamp["saved_results"], package_dir, path.parent)
    return stamp.get("fingerprint"), now


def _is_list_of_text(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def stale_reason(path: Path, package_dir: Path = PACKAGE_DIR) -> str | None:
    """Why the committed outputs of a notebook may not be what the current code produces, or None.

    A notebook is stale when its cells, the code of a course module its run loaded, or a saved
    result it read changed since it was executed: an edit elsewhere leaves it as it is.
    """
    if not path.exists():
        return f"{path.name} does not exist: run `python -m course_utils execute {path.with_suffix('.py')}`"
    recorded, now = recorded_fingerprint(path, package_dir)
    if recorded is None or now is None:
        return f"{path.name} was never executed with this version of `python -m course_utils execute`: run it"
    if recorded != now:
        return (
            f"{path.name}, a course module it loads or a saved result it reads changed since it was executed: "
            f"run `python -m course_utils execute {path}`"
        )
    return None


def repository_url(pyproject: Path = PYPROJECT) -> str | None:
    """The address of the course's repository: ``[project.urls] Repository`` in pyproject.toml.

    It is the one place that names the repository; every notebook's Colab cell is made from it
    (:func:`colab_cell_source`).

    Returns:
        The address without a trailing slash, or None while the file names none or only a
        placeholder (``https://github.com/YOUR-ACCOUNT/...``).

    Raises:
        ValueError: If it names something else than a plain https address.
    """
    if not pyproject.is_file():
        return None
    with pyproject.open("rb") as file:
        urls = tomllib.load(file).get("project", {}).get("urls", {})
    url = urls.get(REPOSITORY_KEY)
    if url is None or (isinstance(url, str) and (not url.strip() or PLACEHOLDER.search(url))):
        return None
    if not isinstance(url, str) or not REPOSITORY_PATTERN.fullmatch(url.strip()):
        raise ValueError(
            f"{pyproject.name}: [project.urls] {REPOSITORY_KEY} = {url!r} is not a plain https address "
            "such as https://github.com/OWNER/NAME"
        )
    return url.strip().rstrip("/")


def colab_cell_source(url: str | None) -> str:
    """The source of the Colab cell, the first code cell of every notebook.

    On Colab (``google.colab`` imported) it clones the repository at ``url`` (shallow) into
    ``/content/course``, installs it with ``%pip``, makes ``course_utils`` importable in the same
    kernel and moves into the clone's ``notebooks/`` folder, so that relative paths work. Without
    ``url`` it stops on Colab, unless ``course_utils`` is already installed, with a message that
    says how to install the course by hand. Anywhere else it does nothing.
    """
    if url is None:
        return _COLAB_WITHOUT_REPOSITORY.format(test=COLAB_TEST)
    return _COLAB_INSTALL.format(test=COLAB_TEST, url=url, folder=COLAB_FOLDER)


def is_colab_cell(cell: nbformat.NotebookNode) -> bool:
    """Whether a cell is a Colab cell (of any repository address, or of none)."""
    return cell.cell_type == "code" and f"if {COLAB_TEST}:" in cell.source


def colab_cell_problem(path: Path, url: str | None) -> str | None:
    """Why a notebook does not open with the Colab cell for ``url``, tagged ``remove-cell``, or None.

    The ``.py`` pair is read when there is one (it is the source), else the ``.ipynb``.
    """
    script = path.with_suffix(".py")
    source = script if script.exists() else path
    if not source.exists():
        return None  # pairing_problem names the missing notebook
    notebook = read_notebook(source)
    first = next((cell for cell in notebook.cells if cell.cell_type == "code"), None)
    fix = "run `python -m course_utils colab-cell`, then execute the notebooks"
    if first is None or first.source != colab_cell_source(url):
        return f"{source.name}: its first code cell is not the Colab cell made from pyproject.toml: {fix}"
    if COLAB_TAG not in first.metadata.get("tags", []):
        return f"{source.name}: its Colab cell is not tagged {COLAB_TAG}: {fix}"
    return None


def write_colab_cell(script: Path, url: str | None) -> bool:
    """Make the Colab cell for ``url`` the first code cell of a notebook's ``.py`` pair.

    A Colab cell already there is rewritten; otherwise the cell goes right after the title (the
    first markdown cell).

    Returns:
        Whether the file changed.
    """
    notebook = read_notebook(script)
    source = colab_cell_source(url)
    first = next((cell for cell in notebook.cells if cell.cell_type == "code"), None)
    if first is not None and is_colab_cell(first):
        first.source = source
        tags = first.metadata.setdefault("tags", [])
        if COLAB_TAG not in tags:
            tags.insert(0, COLAB_TAG)
    else:
        after_title = 1 if notebook.cells and notebook.cells[0].cell_type == "markdown" else 0
        notebook.cells.insert(after_title, nbformat.v4.new_code_cell(source, metadata={"tags": [COLAB_TAG]}))
    text = jupytext.writes(notebook, fmt=PAIRED_FORMAT)
    if text.strip() == script.read_text().strip():
        return False
    script.write_text(text)
    return True


def paired_script_text(path: Path) -> str:
    """The ``py:percent`` text that jupytext writes for a notebook."""
    return jupytext.writes(read_notebook(path), fmt=PAIRED_FORMAT)


def pairing_problem(path: Path) -> str | None:
    """Why a notebook and its ``.py`` pair disagree, or None when they match."""
    if not path.exists():
        return f"{path.name} does not exist yet: execute {path.with_suffix('.py').name}"
    script = path.with_suffix(".py")
    if not script.exists():
        return f"{path.name} has no paired {script.name}"
    with _reading(script):
        script_text = script.read_text()
    if _pair_content(paired_script_text(path)) != _pair_content(script_text):
        return f"{path.name} and {script.name} differ: run `jupytext --sync {path}`"
    return None


def _pair_content(text: str) -> str:
    """A ``py:percent`` text without the version of jupytext that wrote it: a newer jupytext pairs the same cells."""
    return "\n".join(line for line in text.strip().splitlines() if not JUPYTEXT_VERSION_LINE.match(line))


def execute(path: Path, timeout: int = CELL_TIMEOUT_SECONDS) -> float:
    """Sync a notebook from its ``.py`` pair, run it top to bottom in a fresh kernel and stamp it.

    The kernel gets an empty training cache, so the stored outputs show the training itself, and
    runs as the reference run: the course's data, and a claim that does not hold stops it.

    Returns:
        The wall time of the run in seconds.
    """
    script = path.with_suffix(".py")
    notebook = read_notebook(script if script.exists() else path)
    if path.exists():
        _keep_outputs_metadata(notebook, read_notebook(path))
    started = time.perf_counter()
    notebook.cells.append(nbformat.v4.new_code_cell(_INPUTS_CELL))
    with _reference_kernel_environment():
        _run(notebook, path.parent, timeout)
    seconds = time.perf_counter() - started
    modules, saved_results = _inputs(notebook.cells.pop(), path.parent)
    stamp = fingerprint(notebook, modules, saved_results, PACKAGE_DIR, path.parent)
    notebook.metadata[METADATA_KEY] = {"fingerprint": stamp, "modules": modules, "saved_results": saved_results}
    notebook.metadata.setdefault("jupytext", {})["formats"] = f"ipynb,{PAIRED_FORMAT}"
    nbformat.write(notebook, path)
    script.write_text(paired_script_text(path))
    return seconds


# Run last in the kernel, then removed: which course modules the notebook loaded, which saved results it read.
_INPUTS_CELL = textwrap.dedent(
    """\
    import json, pathlib, sys
    from course_utils import results
    print(json.dumps({
        "package": str(pathlib.Path(sys.modules["course_utils"].__file__).parent),
        "modules": sorted(
            module.__file__ for name, module in list(sys.modules.items())
            if name.split(".")[0] == "course_utils" and getattr(module, "__file__", None)
        ),
        "saved_results": [str(path) for path in results.files_read()],
    }))"""
)


def _inputs(cell: nbformat.NotebookNode, notebook_dir: Path) -> tuple[list[str], list[str]]:
    """The modules (inside the package) and saved results (inside ``notebook_dir``) the inputs cell printed."""
    printed = json.loads("".join(output.get("text", "") for output in cell.outputs if output.get("name") == "stdout"))
    package = Path(printed["package"])
    modules = sorted(str(Path(name).relative_to(package)) for name in printed["modules"])
    inside = [Path(name) for name in printed["saved_results"] if Path(name).is_relative_to(notebook_dir.resolve())]
    return modules, sorted(str(name.relative_to(notebook_dir.resolve())) for name in inside)


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
        mock.patch.dict(os.environ, {**REFERENCE_ENVIRONMENT, results.CACHE_VARIABLE: empty}),
    ):
        yield


def _keep_outputs_metadata(notebook: nbformat.NotebookNode, previous: nbformat.NotebookNode) -> None:
    for key in ("kernelspec", "language_info"):
        if key in previous.metadata:
            notebook.metadata.setdefault(key, previous.metadata[key])
