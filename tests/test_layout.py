"""The layout keeps its promises: an edit stales only the notebooks it changes, and the lesson modules stay small."""

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_utils.maintain import notebooks

CONTRIBUTING = notebooks.PROJECT_DIR / "CONTRIBUTING.md"
LESSON_IMPORT = "from course_utils import data, models, training, metrics, plots"
# Maintainer machinery that must stay out of what a student's imports load.
MACHINERY = ("joblib", "dask", "sched_setaffinity", "loky")
LESSON_LINES = re.compile(r"<!-- lesson-lines -->([\d,]+) lines in (\d+) modules<!-- /lesson-lines -->")


def _package_copy(tmp_path: Path) -> Path:
    package = tmp_path / "course_utils"
    shutil.copytree(notebooks.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    return package


def _reword_first_message(module: Path) -> None:
    """Change the first string in a function's code (not a docstring) of ``module``: a reworded message."""
    text = module.read_text()
    tree = ast.parse(text)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    message = next(
        node
        for function in functions
        for node in ast.walk(function)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and len(node.value) > 20
        and id(node) not in docstrings
    )
    lines = text.splitlines(keepends=True)
    line = lines[message.lineno - 1]
    lines[message.lineno - 1] = line[: message.col_offset + 1] + "Reworded: " + line[message.col_offset + 1 :]
    module.write_text("".join(lines))


def _stale(package: Path) -> list[str]:
    return [path.stem for path in notebooks.course_notebooks() if notebooks.stale_reason(path, package) is not None]


def test_every_notebook_records_the_course_modules_it_loaded():
    for path in notebooks.course_notebooks():
        stamp = json.loads(path.read_text())["metadata"][notebooks.METADATA_KEY]
        assert "__init__.py" in stamp["modules"] and "environment.py" in stamp["modules"], path.name
        assert not any(name.startswith("maintain") for name in stamp["modules"]), "no notebook loads maintain/"


@pytest.mark.parametrize("notebook", ["07_going_deeper", "03_two_hidden_layers"])
def test_rewording_one_checks_message_stales_exactly_its_notebook(tmp_path, notebook):
    package = _package_copy(tmp_path)
    assert _stale(package) == [], "every notebook must be up to date before the edit"
    _reword_first_message(package / "exercises" / "checks" / f"nb{notebook[:2]}.py")
    assert _stale(package) == [notebook]


def test_a_docstring_edit_stales_nothing_and_a_lesson_module_edit_stales_its_users(tmp_path):
    package = _package_copy(tmp_path)
    size_study = package / "size_study.py"
    size_study.write_text(size_study.read_text().replace('"""The data-size study', '"""The study of data sizes', 1))
    assert _stale(package) == []
    size_study.write_text(size_study.read_text() + "\nREWORDED = 1\n")
    users = [
        path.stem
        for path in notebooks.course_notebooks()
        if "size_study.py" in json.loads(path.read_text())["metadata"][notebooks.METADATA_KEY]["modules"]
    ]
    assert users and len(users) < len(notebooks.course_notebooks())
    assert _stale(package) == users


def test_an_edited_saved_result_stales_the_notebooks_that_read_it(tmp_path):
    readers = {}
    for path in notebooks.course_notebooks():
        for name in json.loads(path.read_text())["metadata"][notebooks.METADATA_KEY]["saved_results"]:
            readers.setdefault(name, []).append(path.stem)
    assert any(name.startswith("results/depth_study/") for name in readers), "notebook 6 reads the depth study"
    name = "results/size_study/jax-fashion/runs.csv"
    folder = tmp_path / "notebooks"
    shutil.copytree(notebooks.NOTEBOOK_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    edited = folder / name
    edited.write_text(edited.read_text().replace("0.", "1.", 1))
    stale = [path.stem for path in notebooks.course_notebooks(folder) if notebooks.stale_reason(path) is not None]
    assert stale == readers[name]


def _lesson_modules() -> list[Path]:
    """The course modules ``LESSON_IMPORT`` loads, in a fresh interpreter."""
    code = (
        f"import sys; {LESSON_IMPORT}; "
        "print('\\n'.join(m.__file__ for n, m in list(sys.modules.items()) if n.split('.')[0] == 'course_utils'))"
    )
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return sorted(Path(line) for line in printed.split())


def test_the_lesson_imports_load_no_maintainer_machinery_and_contributing_says_how_much_they_load():
    modules = _lesson_modules()
    names = [path.relative_to(notebooks.PACKAGE_DIR).as_posix() for path in modules]
    assert not any(name.startswith(("maintain/", "exercises/")) for name in names), names
    for path in modules:
        found = [word for word in MACHINERY if word in path.read_text()]
        assert not found, f"{path.name} holds maintainer machinery: {found}"
    lines = sum(len(path.read_text().splitlines()) for path in modules)
    stated = LESSON_LINES.search(CONTRIBUTING.read_text())
    assert stated, f"CONTRIBUTING.md must state the lines `{LESSON_IMPORT}` loads between lesson-lines markers"
    assert (int(stated.group(1).replace(",", "")), int(stated.group(2))) == (lines, len(modules)), (
        f"CONTRIBUTING.md says {stated.group(1)} lines in {stated.group(2)} modules; they are {lines:,} lines in "
        f"{len(modules)} modules ({', '.join(names)}): write that between the lesson-lines markers"
    )
