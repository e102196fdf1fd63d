"""Imports between the modules of ``course_utils`` run one way: notebooks -> exercises -> lessons.

The graph is read with ``ast`` from the source of every module, subpackages and imports inside
functions included (an import inside a function hides a cycle from Python, not from this test).
"""

from __future__ import annotations

import ast
import fnmatch
import graphlib
import textwrap
from pathlib import Path

import pytest

import course_utils

PACKAGE_DIR = Path(course_utils.__file__).resolve().parent
EXERCISES, MAINTAIN = "course_utils.exercises", "course_utils.maintain"
CHECKS = f"{EXERCISES}.checks"
# An exercise module may import only exercise modules of earlier layers. A notebook's checks module
# (checks.nb01, ...) holds its checks and its registry entries, so it comes after the widgets.
NOTEBOOK_CHECKS = "checks.nb*"
EXERCISE_LAYERS = (
    ("feedback", "exercise"),
    ("widgets", "model_checks"),
    ("questions", "architecture_builder"),
    ("depth_explorer", "latent_decoder", "measure_explorer"),
    ("checks", "checks.common"),
    (NOTEBOOK_CHECKS,),
    ("registry",),
)


def module_files(package_dir: Path, package: str) -> dict[str, Path]:
    """Every module of a package (subpackages included) by its dotted name."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join((package, *parts))] = path
    return modules


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of a dotted ``name`` that is one of ``modules``."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return None


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """The dotted names a module imports: ``import a.b`` gives ``a.b``, ``from a import b`` gives ``a.b`` too."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, one level up per extra dot
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}".rstrip(".")
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def import_graph(package_dir: Path, package: str) -> dict[str, set[str]]:
    """Each module of the package mapped to the modules of the package it imports.

    ``from a import b`` is an edge to the module ``a.b`` if there is one, else to ``a``.
    """
    modules = module_files(package_dir, package)
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = {_known(name, modules) for name in _imported_names(tree, module, path.name == "__init__.py")}
        graph[module] = targets - {None, module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (the first repeated at the end), or None."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return list(error.args[1])
    return None


def lesson_modules(graph: dict[str, set[str]]) -> list[str]:
    """``course_utils`` and its top-level modules, except the command line entry point."""
    return [module for module in graph if not module.startswith((EXERCISES, MAINTAIN)) and module != "course_utils.__main__"]


def imports_of(graph: dict[str, set[str]], module: str, prefix: str) -> set[str]:
    """The modules under ``prefix`` that ``module`` imports."""
    return {target for target in graph[module] if target == prefix or target.startswith(prefix + ".")}


GRAPH = import_graph(PACKAGE_DIR, "course_utils")


def test_the_graph_sees_the_package():
    assert {f"{EXERCISES}.feedback", f"{EXERCISES}.registry", f"{MAINTAIN}.cli", "course_utils.models"} <= set(GRAPH)
    assert f"{EXERCISES}.feedback" in GRAPH[f"{CHECKS}.nb03"]
    assert "course_utils.training" in GRAPH["course_utils.metrics"], "an import inside a function counts"


def test_there_is_no_import_cycle():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("module", lesson_modules(GRAPH))
def test_lesson_modules_know_nothing_of_exercises_or_maintenance(module):
    assert not imports_of(GRAPH, module, EXERCISES) | imports_of(GRAPH, module, MAINTAIN)


def test_only_the_command_line_entry_point_imports_maintain():
    outside = [module for module in GRAPH if not module.startswith(MAINTAIN)]
    importers = sorted(module for module in outside if imports_of(GRAPH, module, MAINTAIN))
    assert importers == ["course_utils.__main__"]


@pytest.mark.parametrize("module", ["feedback", "exercise"])
def test_feedback_and_exercise_import_nothing_of_the_course(module):
    assert GRAPH[f"{EXERCISES}.{module}"] == set()


@pytest.mark.parametrize("package", [EXERCISES, CHECKS])
def test_the_exercise_and_checks_packages_import_no_submodule(package):
    assert imports_of(GRAPH, package, "course_utils") == set()


def test_a_notebooks_checks_import_no_other_notebooks_checks():
    for module in GRAPH:
        if fnmatch.fnmatch(module, f"{EXERCISES}.{NOTEBOOK_CHECKS}"):
            assert imports_of(GRAPH, module, CHECKS) <= {f"{CHECKS}.common"}, module


def test_exercise_modules_import_only_earlier_layers():
    layer = {
        module: index
        for index, names in enumerate(EXERCISE_LAYERS)
        for name in names
        for module in GRAPH
        if fnmatch.fnmatch(module, f"{EXERCISES}.{name}")
    }
    assert set(layer) == {module for module in GRAPH if module.startswith(EXERCISES + ".")}, "a module has no layer"
    for module, index in layer.items():
        later = [target for target in imports_of(GRAPH, module, EXERCISES) if layer.get(target, -1) >= index]
        assert not later, f"{module} imports {later}: the exercise modules import only earlier layers"


# ---------------------------------------------------------------------------------------------
# The test itself, on the layout it replaced: exercises.py and widgets.py importing each other
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def old_layout(tmp_path: Path) -> dict[str, set[str]]:
    """A package laid out as course_utils was: the cycle hidden by an import inside a function."""
    package = tmp_path / "old"
    package.mkdir()
    sources = {
        "__init__.py": "",
        "models.py": "import numpy\n",
        "exercises.py": """
            from old import models

            def dense_layer_question():
                from old.widgets import NumericQuestion
                return NumericQuestion()
        """,
        "widgets.py": "from old import exercises, models\nfrom . import models as again\n",
        "__main__.py": "from old.maintain.cli import main\n",
        "maintain/__init__.py": "",
        "maintain/cli.py": "from ..exercises import dense_layer_question\n",
    }
    for name, source in sources.items():
        (package / name).parent.mkdir(exist_ok=True)
        (package / name).write_text(textwrap.dedent(source))
    return import_graph(package, "old")


def test_the_old_layout_has_a_cycle_that_the_test_reports(old_layout):
    assert old_layout["old.exercises"] == {"old.models", "old.widgets"}
    assert old_layout["old.widgets"] == {"old.exercises", "old.models"}
    assert old_layout["old.maintain.cli"] == {"old.exercises"}, "relative imports resolve"
    cycle = find_cycle(old_layout)
    assert cycle is not None and set(cycle) == {"old.exercises", "old.widgets"}


def test_the_old_layout_breaks_the_lesson_rule(old_layout):
    assert imports_of(old_layout, "old.widgets", "old.exercises") == {"old.exercises"}
