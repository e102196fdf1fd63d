"""The Colab cell that opens every notebook: valid IPython, silent off Colab, made from pyproject.toml."""

import ast
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import jupytext
import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from course_utils.maintain import notebooks
from course_utils.maintain.cli import main

URL = "https://github.com/someone/autoencoder-course"
PROJECT = """\
[project]
name = "autoencoder-depth-course"
version = "0.1.0"
"""


class Recorder:
    """Stands in for ``get_ipython()``: records the shell commands and line magics the cell runs."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def system(self, command: str) -> None:
        self.calls.append(("!", command))

    def run_line_magic(self, name: str, line: str) -> None:
        self.calls.append((f"%{name}", line))


def run_cell(source: str) -> Recorder:
    """Run a cell as IPython would (magics turned into calls), in a fresh namespace."""
    recorder = Recorder()
    code = TransformerManager().transform_cell(source)
    exec(compile(code, "<colab cell>", "exec"), {"get_ipython": lambda: recorder})
    return recorder


@pytest.fixture
def on_colab(monkeypatch):
    """Pretend to be on Colab; the cell's changes to sys.path are undone afterwards."""
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(sys, "path", list(sys.path))


@pytest.mark.parametrize("url", [None, URL], ids=["no repository", "repository"])
def test_the_cell_is_complete_ipython(url):
    source = notebooks.colab_cell_source(url)
    manager = TransformerManager()
    assert manager.check_complete(source + "\n")[0] == "complete"  # as a terminal sees a finished block
    code = manager.transform_cell(source)
    ast.parse(code)
    assert not [line for line in code.splitlines() if line.lstrip().startswith(("%", "!"))], "every magic is a call"
    assert source.splitlines()[0].startswith("#"), "the cell says what it is for"


@pytest.mark.parametrize("url", [None, URL], ids=["no repository", "repository"])
def test_the_cell_does_nothing_off_colab(url, monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    path, folder = list(sys.path), Path.cwd()
    assert run_cell(notebooks.colab_cell_source(url)).calls == []
    assert sys.path == path and Path.cwd() == folder


def test_the_cell_names_the_repository_and_installs_from_it():
    source = notebooks.colab_cell_source(URL)
    assert URL in source
    assert f"!git clone --quiet --depth 1 {URL} {notebooks.COLAB_FOLDER}" in source
    assert URL not in notebooks.colab_cell_source(None) and "git clone" not in notebooks.colab_cell_source(None)


def test_on_colab_the_cell_clones_installs_and_moves_into_the_notebooks(on_colab, monkeypatch):
    recorder = Recorder()
    isdir = os.path.isdir

    def cloned_or_real(folder: str) -> bool:
        """The clone's folders exist once the cell has run git clone."""
        if folder.startswith(notebooks.COLAB_FOLDER):
            return any(kind == "!" for kind, _ in recorder.calls)
        return isdir(folder)

    monkeypatch.setattr(os.path, "isdir", cloned_or_real)
    code = TransformerManager().transform_cell(notebooks.colab_cell_source(URL))
    exec(compile(code, "<colab cell>", "exec"), {"get_ipython": lambda: recorder})
    folder = notebooks.COLAB_FOLDER
    assert recorder.calls == [
        ("!", f"git clone --quiet --depth 1 {URL} {folder}"),
        ("%pip", f"install --quiet {folder}"),
        ("%cd", f"{folder}/notebooks"),
    ]
    assert sys.path[0] == folder, "course_utils is importable from the clone in the same kernel"


def test_on_colab_a_failed_clone_stops_the_notebook(on_colab, monkeypatch):
    isdir = os.path.isdir
    monkeypatch.setattr(os.path, "isdir", lambda folder: False if folder.startswith("/content") else isdir(folder))
    with pytest.raises(RuntimeError, match="could not be fetched"):
        run_cell(notebooks.colab_cell_source(URL))


def test_without_a_repository_colab_stops_with_a_way_on(on_colab, monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    with pytest.raises(RuntimeError) as stopped:
        run_cell(notebooks.colab_cell_source(None))
    message = str(stopped.value)
    assert "does not name the repository" in message
    assert "%pip install git+" in message and "upload the course folder" in message


def test_without_a_repository_an_installed_course_goes_on(on_colab):
    assert run_cell(notebooks.colab_cell_source(None)).calls == []


@pytest.mark.parametrize(
    "urls, expected",
    [
        ("", None),
        ("[project.urls]\nHomepage = 'https://example.org'\n", None),
        ("[project.urls]\nRepository = 'https://github.com/YOUR-ACCOUNT/YOUR-REPOSITORY'\n", None),
        ("[project.urls]\nRepository = '<the repository>'\n", None),
        (f"[project.urls]\nRepository = '{URL}/'\n", URL),
        (f"[project.urls]\nRepository = '{URL}.git'\n", f"{URL}.git"),
    ],
)
def test_repository_url_reads_pyproject(tmp_path, urls, expected):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(PROJECT + urls)
    assert notebooks.repository_url(pyproject) == expected


@pytest.mark.parametrize(
    "url", ["http://github.com/a/b", "git@github.com:a/b.git", "https://github.com/a/b c", "https://x/$(id)"]
)
def test_repository_url_refuses_what_a_shell_would_misread(tmp_path, url):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(PROJECT + f"[project.urls]\nRepository = {url!r}\n")
    with pytest.raises(ValueError, match="not a plain https address"):
        notebooks.repository_url(pyproject)


@pytest.mark.parametrize("path", notebooks.course_notebooks(), ids=lambda path: path.stem)
def test_every_notebook_opens_with_the_colab_cell_then_the_setup(path):
    cells = jupytext.read(path.with_suffix(".py")).cells
    code = [cell for cell in cells if cell.cell_type == "code"]
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# "), "the title comes first"
    assert cells[1] is code[0], "the Colab cell follows the title"
    assert code[0].source == notebooks.colab_cell_source(notebooks.repository_url())
    assert notebooks.COLAB_TAG in code[0].metadata.get("tags", []), "the book leaves it out"
    assert "environment.setup(" in code[1].source, "the Setup cell comes next"
    assert notebooks.colab_cell_problem(path, notebooks.repository_url()) is None


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A copy of notebook 1's .py, the only notebook the command line sees."""
    script = tmp_path / "01_introduction.py"
    shutil.copy(notebooks.NOTEBOOK_DIR / script.name, script)
    monkeypatch.setattr(notebooks, "course_notebooks", lambda: [script.with_suffix(".ipynb")])
    return script


def test_check_pairs_reports_a_changed_cell(course, capsys):
    course.write_text(course.read_text().replace("importlib.invalidate_caches()", "pass", 1))
    assert main(["check-pairs"]) == 1
    printed = capsys.readouterr().out
    assert f"{course.name}: its first code cell is not the Colab cell" in printed
    assert "python -m course_utils colab-cell" in printed


def test_check_pairs_reports_a_missing_tag(course, capsys):
    text = course.read_text()
    course.write_text(text.replace('# %% tags=["remove-cell"]\n# On Google Colab', "# %%\n# On Google Colab", 1))
    assert main(["check-pairs"]) == 1
    assert "its Colab cell is not tagged remove-cell" in capsys.readouterr().out


def test_colab_cell_command_inserts_rewrites_and_leaves_alone(course, monkeypatch, capsys):
    notebook = jupytext.read(course)
    del notebook.cells[1]  # no Colab cell
    course.write_text(jupytext.writes(notebook, fmt=notebooks.PAIRED_FORMAT))
    assert notebooks.colab_cell_problem(course, None) is not None
    assert main(["colab-cell"]) == 0
    assert "execute" in capsys.readouterr().out, "the command says that the notebooks must be executed"
    assert notebooks.colab_cell_problem(course, None) is None
    written = course.read_text()
    assert main(["colab-cell"]) == 0 and course.read_text() == written
    assert "already" in capsys.readouterr().out

    monkeypatch.setattr(notebooks, "repository_url", lambda: URL)
    assert main(["colab-cell"]) == 0
    cells = jupytext.read(course).cells
    assert cells[1].source == notebooks.colab_cell_source(URL) and notebooks.COLAB_TAG in cells[1].metadata["tags"]
    assert [cell.cell_type for cell in cells].count("code") == [cell.cell_type for cell in notebook.cells].count("code") + 1


def test_colab_cell_command_refuses_a_bad_address(course, monkeypatch, capsys):
    def bad():
        raise ValueError("pyproject.toml: [project.urls] Repository = 'ftp://x' is not a plain https address")

    monkeypatch.setattr(notebooks, "repository_url", bad)
    with pytest.raises(SystemExit) as stopped:
        main(["colab-cell"])
    assert stopped.value.code == 2 and "not a plain https address" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
@pytest.mark.parametrize("url", [None, "https://github.com/a/course"], ids=["no repository", "repository"])
def test_the_cell_passes_ruff_as_the_notebooks_do(url, tmp_path):
    """In the .py the magics are comments (# %pip ...): the code around them must still lint and format."""
    notebook = jupytext.read(notebooks.NOTEBOOK_DIR / "01_introduction.py")
    notebook.cells = [nbformat.v4.new_markdown_cell("# A title")]
    script = tmp_path / "notebook.py"
    script.write_text(jupytext.writes(notebook, fmt=notebooks.PAIRED_FORMAT))
    notebooks.write_colab_cell(script, url)
    assert "# %pip install" in script.read_text() or url is None
    config = str(notebooks.NOTEBOOK_DIR / "ruff.toml")
    # E501 as pyproject.toml's per-file ignores for notebooks/*.py (the git clone line names the address)
    for command in (["check", "--config", config, "--ignore", "E501"], ["format", "--check", "--config", config]):
        finished = subprocess.run(["ruff", *command, str(script)], capture_output=True, text=True)
        assert finished.returncode == 0, finished.stdout + finished.stderr
