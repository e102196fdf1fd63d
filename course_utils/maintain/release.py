"""Student copies of the notebooks: every solution replaced by a placeholder, nothing else lost.

``python -m course_utils release`` writes one student notebook per course notebook into an
output folder (``student/`` by default, which git ignores). The instructor notebooks stay the only
hand-edited copies. In a student copy:

- every cell tagged ``solution`` becomes a placeholder cell tagged ``exercise``, with no output.
  A code placeholder assigns ``...`` to each name that the solution defines and later cells use
  (``my_encoder = ...``), so the copy still runs from top to bottom and each check reports
  "not answered yet";
- the outputs of check cells (cells that call a check of the exercise registry, in whatever
  module it lives) are cleared, because a check's verdict on the worked solution would give the
  answer away;
- cells that check the text's claims (``environment.claim``) are left out: only the maintainers'
  reference run needs them;
- saved widget state is dropped: it records the instructor's run (an explorer already trained by
  the solution, say). Widget outputs keep their static HTML rendering until the student runs them;
- every other cell keeps its source, metadata and outputs.

Beside the copies, ``release`` writes the saved results the notebooks read (the ``results/``
folder next to the instructor notebooks: saved studies and weights), so that every copy runs
where it is handed out without training what the book's run loads.

The cells come from the notebook's ``.py`` file (the source of truth) and their outputs from the
executed ``.ipynb`` wherever the cell is unchanged; a warning says when the ``.ipynb`` is stale.

Nothing goes wrong in silence and nothing is lost: every copy is made and checked before any is
written (each exercise of the registry that a check marks must have lost its solution, and no
solution line, near-miss ``solution`` tag, check output, check verdict, claim cell or phrase that
states an exercise's answer (the registry's ``reveals``) may remain), and a copy already in the
output folder, perhaps with a student's work in it, is only replaced with ``force``, after it has
been kept as ``NAME.ipynb.bak-YYYYmmdd-HHMMSS`` next to it (a saved result that differs from the
course's likewise, as ``NAME.bak-YYYYmmdd-HHMMSS``; files the course does not ship are left alone).
A student copy given instead of an instructor notebook is refused, naming the instructor notebook.
"""

from __future__ import annotations

import ast
import copy
import difflib
import filecmp
import re
import shutil
import symtable
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupytext.combine import combine_inputs_with_outputs

from course_utils import environment
from course_utils.exercises import feedback, registry
from course_utils.maintain import notebooks

SOLUTION_TAG = "solution"
PLACEHOLDER_TAG = "exercise"
CLAIM_FUNCTION = f"{environment.__name__.rsplit('.', 1)[-1]}.{environment.claim.__name__}"  # environment.claim
RESULTS_FOLDER = "results"  # the saved results next to the notebooks, which they read as Path("results/...")
EXERCISE_HEADING = re.compile(r"Exercise\s+(\d+(?:\.\d+)*[a-z]?)")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
DEFAULT_OUTPUT = Path("student")
MARKDOWN_PLACEHOLDER = "**Your answer ({exercise}):** _double-click this cell and write it here._"
CODE_PLACEHOLDER = "# {exercise}: your code here. Replace each ... with your answer, then run the check below."
STUDENT_COPY_KEY = "student_copy"  # in the notebook's metadata[notebooks.METADATA_KEY], beside the notebook it copies


class ReleaseError(ValueError):
    """Raised when a notebook cannot be turned into a safe student copy."""


@dataclass
class ReleaseReport:
    """What one student copy contains.

    Attributes:
        source: The instructor notebook it was made from.
        target: The student notebook written (None until written).
        solutions: The exercises whose solutions were replaced, e.g. ``["Exercise 3.1"]``.
        cleared_checks: How many check cells lost their outputs.
        removed_claims: How many cells that check the text's claims were left out.
        warnings: For example a stale ``.ipynb`` whose outputs could not all be used.
        backup: Where the copy that ``target`` replaced was kept (None if there was none).
        results: The saved results written beside the copies (on the first report of a release).
        replaced_results: Where saved results that differed from the course's were kept.
    """

    source: Path
    target: Path | None = None
    solutions: list[str] = field(default_factory=list)
    cleared_checks: int = 0
    removed_claims: int = 0
    warnings: list[str] = field(default_factory=list)
    backup: Path | None = None
    results: list[Path] = field(default_factory=list)
    replaced_results: list[Path] = field(default_factory=list)


def load_instructor_notebook(path: Path, from_ipynb: bool = False) -> tuple[nbformat.NotebookNode, list[str]]:
    """The instructor notebook: cells from the ``.py`` pair, outputs from the ``.ipynb`` where they match.

    Args:
        path: The notebook, as ``.ipynb`` or ``.py``.
        from_ipynb: Use the ``.ipynb`` exactly as it is, ignoring the ``.py``.

    Returns:
        The notebook and warnings (for example that the ``.ipynb`` is stale).
    """
    script, executed = Path(path).with_suffix(".py"), Path(path).with_suffix(".ipynb")
    warnings: list[str] = []
    if from_ipynb or not script.exists():
        if not executed.exists():
            raise ReleaseError(f"neither {script} nor {executed} exists.")
        return _read(executed), warnings
    notebook = _read(script)
    if executed.exists():
        previous = _read(executed)
        problem = _pairing_problem(previous, notebook)
        if problem:
            warnings.append(
                f"{executed.name} is older than {script.name} ({problem}): cells that changed have no outputs "
                f"in the student copy; run `python -m course_utils execute {executed}` first."
            )
        notebook = combine_inputs_with_outputs(notebook, previous, fmt=notebooks.PAIRED_FORMAT)
    else:
        warnings.append(f"{executed.name} does not exist: the student copy has no outputs.")
    return notebook, warnings


def _read(path: Path) -> nbformat.NotebookNode:
    """A notebook file (``.py`` or ``.ipynb``), or a :class:`ReleaseError` that names it and how to restore it."""
    try:
        return notebooks.read_notebook(path)
    except notebooks.NotebookReadError as error:
        raise ReleaseError(str(error)) from None


def _pairing_problem(executed: nbformat.NotebookNode, script: nbformat.NotebookNode) -> str | None:
    mine = [(cell.cell_type, cell.source.strip()) for cell in script.cells]
    theirs = [(cell.cell_type, cell.source.strip()) for cell in executed.cells]
    if mine == theirs:
        return None
    missing = sum(1 for cell in mine if cell not in theirs)
    return f"{missing} of {len(mine)} cells differ"


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """Whether a cell is tagged ``solution``."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def near_miss_tags(cell: nbformat.NotebookNode) -> list[str]:
    """Tags that look like a misspelled ``solution`` (``Solution``, ``solutions``, ``soluton``)."""
    tags = cell.get("metadata", {}).get("tags", [])
    return [
        tag
        for tag in tags
        if tag != SOLUTION_TAG and ("solut" in tag.lower() or difflib.get_close_matches(tag.lower(), [SOLUTION_TAG]))
    ]


def _calls(cell: nbformat.NotebookNode, names: Iterable[str]) -> bool:
    """Whether a code cell calls one of ``names`` (``module.function``) as a notebook writes it."""
    return cell.cell_type == "code" and any(re.search(rf"\b{re.escape(name)}\s*\(", cell.source) for name in names)


def is_check(cell: nbformat.NotebookNode) -> bool:
    """Whether a code cell calls a check of the exercise registry (``checks.check_encoder_2(...)``, any module)."""
    return _calls(cell, registry.check_names())


def is_claim(cell: nbformat.NotebookNode) -> bool:
    """Whether a code cell checks the text's claims (``environment.claim(...)``), which only the reference run needs."""
    return _calls(cell, [CLAIM_FUNCTION])


def _assigned_names(source: str) -> list[str]:
    """Names a cell binds at its top level, in order (empty when the source is not plain Python)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for statement in tree.body:
        targets: list[ast.AST] = []
        if isinstance(statement, ast.Assign):
            targets = list(statement.targets)
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(statement.name)
        for target in targets:
            names += [node.id for node in ast.walk(target) if isinstance(node, ast.Name)]
    return list(dict.fromkeys(names))


def _free_names(source: str) -> set[str]:
    """Names a cell reads from the notebook's namespace (not a function's own parameters and locals)."""
    try:
        top = symtable.symtable(source, "<cell>", "exec")
    except SyntaxError:
        return set()
    names, tables = set(), [top]
    while tables:
        table = tables.pop()
        names |= {
            symbol.get_name()
            for symbol in table.get_symbols()
            if symbol.is_referenced() and (table is top or symbol.is_global())
        }
        tables += table.get_children()
    return names


def _used_names(sources: Iterable[str]) -> set[str]:
    used: set[str] = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        used |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return used


def _exercise_name(cells: list[nbformat.NotebookNode], index: int) -> str:
    """``"Exercise 3.1"`` from the nearest markdown heading above cell ``index``, else ``"the exercise"``."""
    for cell in reversed(cells[:index]):
        if cell.cell_type == "markdown":
            found = EXERCISE_HEADING.search(cell.source)
            if found:
                return f"Exercise {found.group(1)}"
    return "the exercise"


def placeholder_source(solution: str, exercise: str, later_sources: Iterable[str], earlier_sources: Iterable[str]) -> str:
    """The code a student finds instead of a solution.

    Args:
        solution: The solution cell's code.
        exercise: For example ``"Exercise 3.1"``.
        later_sources: The code of the cells after it: names they use must stay defined.
        earlier_sources: The code of the cells before it.

    Raises:
        ReleaseError: If the solution rebinds a name that earlier cells define; the placeholder
            would then replace that value with ``...`` and break the rest of the notebook.
    """
    used_later = _used_names(later_sources)
    names = [name for name in _assigned_names(solution) if name in used_later]
    defined_before = {name for source in earlier_sources for name in _assigned_names(source)}
    clashes = [name for name in names if name in defined_before]
    if clashes:
        raise ReleaseError(
            f"the solution of {exercise} rebinds {', '.join(clashes)}, which earlier cells define; use a new name "
            "(e.g. my_encoder) so that the student copy keeps the notebook's own value."
        )
    lines = [CODE_PLACEHOLDER.format(exercise=exercise)]
    lines += [f"{name} = ..." for name in names]
    return "\n".join(lines)


def solution_lines(notebook: nbformat.NotebookNode) -> set[str]:
    """Lines of solution cells that no other cell contains: they must not reach a student copy.

    Comments and bare names (a cell ending in ``answer_2_1`` to show it) give nothing away and are
    left out.
    """
    elsewhere = "\n".join(cell.source for cell in notebook.cells if not is_solution(cell))
    lines = set()
    for cell in notebook.cells:
        if is_solution(cell):
            for line in cell.source.splitlines():
                stripped = line.strip()
                if len(stripped) <= 3 or stripped.startswith("#") or re.fullmatch(r"[\w.]+", stripped):
                    continue
                if stripped not in elsewhere:
                    lines.add(stripped)
    return lines


def _strip_widget_views(cell: nbformat.NotebookNode) -> None:
    kept = []
    for output in cell.get("outputs", []):
        data = output.get("data")
        if data and WIDGET_VIEW in data:
            data.pop(WIDGET_VIEW)
            if not data:
                continue
        kept.append(output)
    if "outputs" in cell:
        cell.outputs = kept


def student_notebook(notebook: nbformat.NotebookNode, report: ReleaseReport | None = None) -> nbformat.NotebookNode:
    """A student copy of an instructor notebook (the notebook itself is not changed).

    Args:
        notebook: The instructor notebook, with outputs.
        report: Filled in with the exercises replaced and the check outputs cleared.

    Raises:
        ReleaseError: If a solution would survive, or a placeholder would break later cells.
    """
    report = report if report is not None else ReleaseReport(Path("notebook"))
    student = copy.deepcopy(notebook)
    student.cells = cells = _without_claims(student.cells, report)  # first: placeholders keep no name only a claim reads
    for index, cell in enumerate(cells):
        _strip_widget_views(cell)
        if is_solution(cell):
            exercise = _exercise_name(cells, index)
            _replace_solution(cell, exercise, cells, index)
            report.solutions.append(exercise)
        elif is_check(cell) and cell.outputs:
            cell.outputs = []
            cell.execution_count = None
            report.cleared_checks += 1
    student.metadata.pop("widgets", None)
    jupytext_metadata = student.metadata.get("jupytext", {})
    jupytext_metadata.pop("formats", None)
    if not jupytext_metadata:
        student.metadata.pop("jupytext", None)
    # The notebook it copies: `grade` matches a returned copy by it, whatever the file is called then.
    copied = report.source.stem if report is not None else None
    student.metadata[notebooks.METADATA_KEY] = {STUDENT_COPY_KEY: True, **({"notebook": copied} if copied else {})}
    leaks = solution_leaks(notebook, student, report.source.stem if report is not None else None)
    if leaks:
        raise ReleaseError(f"a solution or an answer would survive in the student copy: {leaks[0]}")
    return student


def _without_claims(cells: list[nbformat.NotebookNode], report: ReleaseReport) -> list[nbformat.NotebookNode]:
    """The cells without those that check the text's claims.

    Raises:
        ReleaseError: If a claim cell also defines a name that a later cell uses: the copy would
            then stop with a NameError.
    """
    kept = [cell for cell in cells if not is_claim(cell)]
    defined_elsewhere = {name for other in kept if other.cell_type == "code" for name in _assigned_names(other.source)}
    for index, cell in enumerate(cells):
        if is_claim(cell):
            later = [other for other in cells[index + 1 :] if other.cell_type == "code" and not is_claim(other)]
            used = set().union(*(_free_names(other.source) for other in later))
            missing = [name for name in _assigned_names(cell.source) if name in used and name not in defined_elsewhere]
            if missing:
                raise ReleaseError(
                    f"cell {index} checks the text's claims but also defines {', '.join(missing)}, which other cells use; "
                    "move that code into a cell of its own."
                )
    report.removed_claims = len(cells) - len(kept)
    return kept


def _replace_solution(cell: nbformat.NotebookNode, exercise: str, cells: list, index: int) -> None:
    tags = [tag for tag in cell.metadata.get("tags", []) if tag != SOLUTION_TAG]
    cell.metadata["tags"] = [*tags, PLACEHOLDER_TAG] if PLACEHOLDER_TAG not in tags else tags
    cell.metadata.pop("mystnb", None)
    if cell.cell_type == "code":
        later = [other.source for other in cells[index + 1 :] if other.cell_type == "code"]
        earlier = [other.source for other in cells[:index] if other.cell_type == "code" and not is_solution(other)]
        cell.source = placeholder_source(cell.source, exercise, later, earlier)
        cell.outputs = []
        cell.execution_count = None
    else:
        cell.source = MARKDOWN_PLACEHOLDER.format(exercise=exercise)
        cell.pop("attachments", None)


def solution_leaks(
    instructor: nbformat.NotebookNode, student: nbformat.NotebookNode, notebook: str | None = None
) -> list[str]:
    """Solution lines, solution cells or check outputs still present in a student copy (empty when safe).

    ``notebook`` (its file stem) lets a later notebook build on an earlier exercise's answer
    (:func:`page_leaks`); without it every exercise's answer counts.
    """
    leaks = [f"cell {index} is still tagged solution" for index, cell in enumerate(student.cells) if is_solution(cell)]
    leaks += [
        f"cell {index} ({_exercise_name(student.cells, index)}) is tagged {tag!r}, not {SOLUTION_TAG!r}"
        for index, cell in enumerate(student.cells)
        for tag in near_miss_tags(cell)
    ]
    leaks += [
        f"check cell {index} keeps its output"
        for index, cell in enumerate(student.cells)
        if is_check(cell) and cell.get("outputs")
    ]
    leaks += [f"cell {index} checks the text's claims" for index, cell in enumerate(student.cells) if is_claim(cell)]
    leaks += answer_leaks(student, notebook)
    secret = solution_lines(instructor)
    for index, cell in enumerate(student.cells):
        texts = [cell.source, *(_output_text(output) for output in cell.get("outputs", []))]
        for line in secret:
            if any(line in text for text in texts):
                leaks.append(f"cell {index} contains the solution line {line!r}")
    if "widgets" in student.metadata:
        leaks.append("the notebook keeps the instructor's saved widget state")
    return leaks


def verdict_pattern() -> re.Pattern[str]:
    """What a check prints when it judges an answer (``Exercise 3.1: right.``), for any exercise of the registry.

    The words come from :class:`~course_utils.exercises.feedback.CheckResult`; "not answered yet",
    which every student copy shows until the student answers, gives nothing away.
    """
    unanswered = feedback.not_answered("").verdict
    verdicts = [verdict for verdict in feedback.VERDICT_COLOURS if verdict != unanswered]
    numbers = [re.escape(exercise.number) for exercise in registry.all_exercises()]
    return re.compile(rf"Exercise ({'|'.join(numbers)})[a-z]?:\s+({'|'.join(map(re.escape, verdicts))})\b")


def revealing_phrase(phrase: str) -> re.Pattern[str]:
    """``phrase`` as a whole token: ``0.986`` matches in "share 0.986." but not in "0.9861" or "10.986"."""
    return re.compile(rf"(?<![\w.,]){re.escape(phrase)}(?![\w]|[.,]\d)")


def page_leaks(text: str, notebook: str | None = None) -> list[str]:
    """Check verdicts and phrases that state an exercise's answer (the registry's ``reveals``) in ``text``.

    Args:
        text: A page or a cell.
        notebook: The file stem of the notebook ``text`` belongs to, e.g. ``"06_measuring_latent_quality"``.
            A notebook may then use the answers of exercises in notebooks before it, which its
            reader has already done (notebook 6 trains exercise 3.2's 33-unit model as a control);
            its own exercises' answers and later ones still count. ``None`` (any other page):
            every exercise's answer counts.
    """
    leaks = [f"a check's verdict {found.group(0)!r}" for found in verdict_pattern().finditer(text)]
    stem = None if notebook is None else notebook.rsplit("/", 1)[-1].removesuffix(".ipynb").removesuffix(".py")
    for exercise in registry.all_exercises():
        if stem is not None and exercise.notebook < stem:  # numbered stems sort in course order
            continue
        leaks += [
            f"{phrase!r}, the answer of Exercise {exercise.number}"
            for phrase in exercise.reveals
            if revealing_phrase(phrase).search(text)
        ]
    return leaks


def answer_leaks(student: nbformat.NotebookNode, notebook: str | None = None) -> list[str]:
    """Check verdicts and answers (:func:`page_leaks` of ``notebook``) in any cell of a student copy, source or output."""
    leaks = []
    for index, cell in enumerate(student.cells):
        texts = [cell.source, *(_output_text(output, text_only=True) for output in cell.get("outputs", []))]
        leaks += [f"cell {index} shows {leak}" for leak in page_leaks("\n".join(texts), notebook)]
    return leaks


def _output_text(output: nbformat.NotebookNode, text_only: bool = False) -> str:
    parts = [str(output.get("text", "")), str(output.get("evalue", ""))]
    for kind, value in output.get("data", {}).items():
        if not text_only or kind.startswith("text/"):
            parts.append(value if isinstance(value, str) else str(value))
    return "\n".join(parts)


def unreplaced_exercises(notebook: str, replaced: Iterable[str]) -> list[str]:
    """The registry's exercises of ``notebook`` whose solution the student copy did not replace.

    Only exercises that a check marks need a solution cell; one answered in widgets alone (quick
    questions) has none to hide.

    Args:
        notebook: The notebook's file stem, e.g. ``"03_two_hidden_layers"``.
        replaced: The exercises whose solutions were replaced (:attr:`ReleaseReport.solutions`).
    """
    done = set(replaced)
    return [
        f"Exercise {exercise.number} ({exercise.title})"
        for exercise in registry.exercises_in(notebook)
        if any(call.is_check for call in exercise.calls) and f"Exercise {exercise.number}" not in done
    ]


def prepare(path: Path, from_ipynb: bool = False) -> tuple[nbformat.NotebookNode, ReleaseReport]:
    """The student copy of one notebook, checked against the exercise registry, and its report.

    Raises:
        ReleaseError: Naming the notebook, if it cannot be read, a solution would survive, or an
            exercise of the registry kept its solution.
    """
    path = Path(path)
    report = ReleaseReport(path)
    try:
        notebook, report.warnings = load_instructor_notebook(path, from_ipynb)
    except ReleaseError as error:
        raise ReleaseError(f"{path.name}: {error}") from None
    _refuse_student_copy(path, notebook)  # its solutions are already gone: "kept its solution" would be wrong
    try:
        student = student_notebook(notebook, report)
    except ReleaseError as error:
        _refuse_untagged_solutions(path, report)  # the cause of most leaks, so named first
        raise ReleaseError(f"{path.name}: {error}") from None
    _refuse_untagged_solutions(path, report)
    return student, report


def student_copy_sign(notebook: nbformat.NotebookNode) -> str | None:
    """What shows that a notebook is a student copy (the output of :func:`release`, perhaps with answers), or None."""
    stamp = notebook.metadata.get(notebooks.METADATA_KEY)
    if isinstance(stamp, dict) and stamp.get(STUDENT_COPY_KEY):
        return "its metadata says so"
    cells = notebook.cells
    if not any(is_solution(cell) for cell in cells) and any(_is_placeholder(cells, index) for index in range(len(cells))):
        return "its exercise cells are placeholders"
    return None


def _is_placeholder(cells: list[nbformat.NotebookNode], index: int) -> bool:
    """Whether cell ``index`` is a placeholder that :func:`release` wrote (its first line, which a student keeps)."""
    cell = cells[index]
    if PLACEHOLDER_TAG not in cell.get("metadata", {}).get("tags", []):
        return False
    template = CODE_PLACEHOLDER if cell.cell_type == "code" else MARKDOWN_PLACEHOLDER
    first_line = (cell.source.splitlines() or [""])[0]
    return first_line == template.format(exercise=_exercise_name(cells, index))


def _refuse_student_copy(path: Path, notebook: nbformat.NotebookNode) -> None:
    sign = student_copy_sign(notebook)
    if sign is None:
        return
    stamp = notebook.metadata.get(notebooks.METADATA_KEY)
    copied = stamp.get("notebook") if isinstance(stamp, dict) else None  # release writes the stem it copies
    instructor = notebooks.NOTEBOOK_DIR / f"{copied if isinstance(copied, str) else path.stem}.py"
    named = f"the instructor's notebook, whose solution cells are tagged `{SOLUTION_TAG}`,"
    if instructor.exists():
        named = f"the instructor's notebook {notebooks.display_path(instructor)}"
    raise ReleaseError(f"{path.name} is already a student copy ({sign}): release {named} instead.")


def _refuse_untagged_solutions(path: Path, report: ReleaseReport) -> None:
    missing = unreplaced_exercises(path.stem, report.solutions)
    if missing:
        raise ReleaseError(
            f"{path.name}: {' and '.join(missing)} kept its solution: tag its solution cell `{SOLUTION_TAG}` "
            "(below the exercise's heading) and release again."
        )


def release_notebook(path: Path, output_dir: Path, from_ipynb: bool = False, force: bool = False) -> ReleaseReport:
    """Write the student copy of one notebook into ``output_dir`` and say what it contains."""
    return release(output_dir, [path], from_ipynb, force)[0]


def _check_output(output_dir: Path, chosen: list[Path]) -> None:
    if output_dir.exists() and not output_dir.is_dir():
        raise ReleaseError(f"{output_dir} is a file, not a folder; give a folder for the student copies.")
    if output_dir.resolve() in {path.resolve().parent for path in chosen}:
        raise ReleaseError(f"{output_dir} holds the instructor notebooks; write the student copies elsewhere.")
    stems: dict[str, Path] = {}
    for path in chosen:
        other = stems.setdefault(path.stem, path)
        if other.resolve().with_suffix("") != path.resolve().with_suffix(""):
            raise ReleaseError(f"{other} and {path} would both be written to {output_dir / path.stem}.ipynb.")


def backup_path(target: Path, stamp: str) -> Path:
    """A free name next to ``target`` for keeping it: ``NAME.ipynb.bak-<stamp>`` (``-2``, ``-3`` if taken)."""
    candidate, number = target.with_name(f"{target.name}.bak-{stamp}"), 1
    while candidate.exists():
        number += 1
        candidate = target.with_name(f"{target.name}.bak-{stamp}-{number}")
    return candidate


def saved_results(chosen: Iterable[Path], output_dir: Path) -> dict[Path, Path]:
    """The saved results the chosen notebooks read, each mapped to where its copy goes in ``output_dir``.

    They are the files of the ``results/`` folder next to the notebooks (saved studies, runs and
    weights), which the notebooks open as ``Path("results/...")``.
    """
    files: dict[Path, Path] = {}
    for folder in sorted({Path(path).resolve().parent for path in chosen}):
        results = folder / RESULTS_FOLDER
        for source in sorted(results.rglob("*")) if results.is_dir() else []:
            if source.is_file() and not source.name.startswith("."):
                files[source] = output_dir / RESULTS_FOLDER / source.relative_to(results)
    return files


def _write(
    copies: list[tuple[nbformat.NotebookNode, ReleaseReport]], output_dir: Path, force: bool, results: dict[Path, Path]
) -> list[Path]:
    """Write the copies and the saved results; returns the saved results that were replaced, as kept."""
    targets = [output_dir / f"{report.source.stem}.ipynb" for _, report in copies]
    existing = [target for target in targets if target.exists()]
    changed = [target for source, target in results.items() if target.exists() and not filecmp.cmp(source, target, False)]
    if (existing or changed) and not force:
        names = [target.name for target in existing] + [str(target.relative_to(output_dir)) for target in changed]
        raise ReleaseError(
            f"{output_dir} already holds {', '.join(names)}, perhaps with students' work: nothing written. Pass "
            "--force to replace them, each first kept as NAME.bak-<time>."
        )
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for (student, report), target in zip(copies, targets):
        if target.exists():
            report.backup = backup_path(target, stamp)
            target.rename(report.backup)
        nbformat.write(student, target)
        report.target = target
    kept = []
    for source, target in results.items():
        if target in changed:
            kept.append(backup_path(target, stamp))
            target.rename(kept[-1])
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return kept


def release(
    output_dir: Path = DEFAULT_OUTPUT, paths: Iterable[Path] | None = None, from_ipynb: bool = False, force: bool = False
) -> list[ReleaseReport]:
    """Write student copies of the course notebooks (or of ``paths``) into ``output_dir``.

    Every copy is made and checked before any is written: one bad notebook writes nothing.

    Args:
        output_dir: The folder for the copies.
        paths: The notebooks (``.py`` or ``.ipynb``); default: the course's.
        from_ipynb: Use the executed ``.ipynb`` files as they are, ignoring the ``.py`` pairs.
        force: Replace copies already in ``output_dir``, keeping each as ``NAME.ipynb.bak-<time>``.

    Raises:
        ReleaseError: If ``output_dir`` is a file or a folder of instructor notebooks, two notebooks
            share a name, a copy would leak a solution, or copies exist and ``force`` is False.
        OSError: If the folder or a copy cannot be written.
    """
    chosen = [Path(path) for path in paths] if paths else notebooks.course_notebooks()
    output_dir = Path(output_dir)
    _check_output(output_dir, chosen)
    unique = list({path.resolve().with_suffix(""): path for path in chosen}.values())
    copies = [prepare(path, from_ipynb) for path in unique]
    results = saved_results(unique, output_dir)
    kept = _write(copies, output_dir, force, results)
    if copies:
        copies[0][1].results = sorted(results.values())
        copies[0][1].replaced_results = kept
    return [report for _, report in copies]


def main(
    output_dir: Path = DEFAULT_OUTPUT, paths: Iterable[Path] | None = None, from_ipynb: bool = False, force: bool = False
) -> int:
    """Run :func:`release` and print one line per notebook; returns an exit code."""
    try:
        reports = release(output_dir, paths, from_ipynb, force)
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"release: cannot write the student copies in {output_dir}: {error}", file=sys.stderr)
        return 1
    for report in reports:
        exercises = ", ".join(report.solutions) or "no exercises"
        print(
            f"{report.target}: {len(report.solutions)} solution(s) replaced ({exercises}), "
            f"{report.cleared_checks} check output(s) cleared, {report.removed_claims} claim cell(s) left out"
        )
        if report.backup:
            print(f"  the copy it replaced is kept as {report.backup}")
        if report.results:
            folder = Path(output_dir) / RESULTS_FOLDER
            print(f"{folder}: {len(report.results)} saved result file(s) the notebooks load")
        for kept in report.replaced_results:
            print(f"  a saved result that differed from the course's is kept as {kept}")
        for warning in report.warnings:
            print(f"  warning: {warning}")
    print(f"Student copies in {Path(output_dir).resolve()}")
    return 0
