"""Student copies: no solution survives, nothing else is lost, and a copy still runs to every exercise."""

import copy
import json
import re
import shutil
import textwrap
from pathlib import Path

import jupytext
import nbformat
import pytest

from course_utils.exercises import registry
from course_utils.maintain import release
from course_utils.maintain.cli import build_parser, main

SCRIPT = textwrap.dedent(
    """\
    # %% [markdown]
    # # A small course notebook

    # %%
    from course_utils.exercises.checks import nb02 as checks

    base = 3

    # %% [markdown]
    # (ex-9-1)=
    # ### Exercise 9.1: predict the parameter count
    # **Learning goal**: count parameters. **Task**: set `answer_9_1`.

    # %% tags=["solution"]
    import math

    encoder_part = 784 * base + base
    answer_9_1 = encoder_part + (base * 784 + 784)
    math.sqrt(answer_9_1)

    # %%
    checks.check_parameters_with_3d_code(answer_9_1)

    # %% [markdown]
    # ### Exercise 9.2: explain in words

    # %% [markdown] tags=["solution"]
    # The secret explanation: the digits overlap because two numbers are too few.

    # %% tags=["nbval-ignore-output"]
    print("after the exercises", base * 2)
    """
)
WIDGET_STATE = {"application/vnd.jupyter.widget-state+json": {"version_major": 2, "version_minor": 0, "state": {}}}


def _executed(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with outputs as nbclient would leave them (made up, to keep the test fast)."""
    executed = copy.deepcopy(notebook)
    counter = 0
    for cell in executed.cells:
        if cell.cell_type != "code":
            continue
        counter += 1
        cell.execution_count = counter
        cell.outputs = []
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    code[1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "74.1"}, execution_count=2)]
    code[2].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "Exercise 9.1: right. 784-3-784 has 5,491"})]
    code[3].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="after the exercises 6\n"),
        nbformat.v4.new_output(
            "display_data",
            {
                "text/plain": "a widget",
                "text/html": "<p>static rendering</p>",
                release.WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": "abc"},
            },
        ),
    ]
    executed.metadata["widgets"] = WIDGET_STATE
    executed.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    return executed


@pytest.fixture
def course(tmp_path):
    """A folder with a paired notebook: the .py and an executed .ipynb."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "09_small.py").write_text(SCRIPT)
    nbformat.write(_executed(jupytext.read(folder / "09_small.py")), folder / "09_small.ipynb")
    return folder


def _code(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_solutions_become_placeholders(course, tmp_path):
    report = release.release_notebook(course / "09_small.ipynb", tmp_path / "student")
    assert report.solutions == ["Exercise 9.1", "Exercise 9.2"] and report.cleared_checks == 1
    student = nbformat.read(report.target, as_version=4)
    code = _code(student)
    assert code[1].source.splitlines() == [
        "# Exercise 9.1: your code here. Replace each ... with your answer, then run the check below.",
        "answer_9_1 = ...",
    ]
    assert code[1].outputs == [] and code[1].execution_count is None
    assert code[1].metadata["tags"] == [release.PLACEHOLDER_TAG]
    prose = [cell for cell in student.cells if release.PLACEHOLDER_TAG in cell.metadata.get("tags", [])]
    assert prose[1].cell_type == "markdown" and "Your answer (Exercise 9.2)" in prose[1].source


def test_no_solution_survives(course, tmp_path):
    report = release.release_notebook(course / "09_small.ipynb", tmp_path / "student")
    text = report.target.read_text()
    for secret in ("784 * base", "encoder_part", "math.sqrt", "secret explanation", "74.1", "5,491"):
        assert secret not in text
    student = nbformat.read(report.target, as_version=4)
    assert not any(release.is_solution(cell) for cell in student.cells)
    assert "widgets" not in student.metadata
    instructor, _ = release.load_instructor_notebook(course / "09_small.ipynb")
    assert release.solution_leaks(instructor, student) == []


def test_nothing_else_is_lost(course, tmp_path):
    instructor, warnings = release.load_instructor_notebook(course / "09_small.ipynb")
    assert warnings == []
    student = release.student_notebook(instructor)
    assert [cell.cell_type for cell in student.cells] == [cell.cell_type for cell in instructor.cells]
    for before, after in zip(instructor.cells, student.cells):
        if release.is_solution(before) or release.is_check(before):
            continue
        assert after.source == before.source and after.metadata == before.metadata
        if before.cell_type == "code":
            assert after.execution_count == before.execution_count
    last_before, last_after = _code(instructor)[-1], _code(student)[-1]
    assert last_after.outputs[0] == last_before.outputs[0]
    assert last_after.outputs[1]["data"] == {"text/plain": "a widget", "text/html": "<p>static rendering</p>"}
    assert release.WIDGET_VIEW in last_before.outputs[1]["data"], "the instructor notebook must not change"
    assert "jupytext" not in student.metadata and student.metadata["course"] == {
        "student_copy": True,
        "notebook": "notebook",
    }


@pytest.mark.slow
def test_a_student_copy_runs_to_every_exercise_and_its_checks_say_not_answered(course, tmp_path):
    from nbclient import NotebookClient

    report = release.release_notebook(course / "09_small.ipynb", tmp_path / "student")
    student = nbformat.read(report.target, as_version=4)
    NotebookClient(student, timeout=120, kernel_name="python3").execute()
    code = _code(student)
    assert not [output for cell in code for output in cell.outputs if output.output_type == "error"]
    check_output = code[2].outputs[0]["data"]["text/plain"]
    assert "Exercise 2.1: not answered yet" in check_output
    assert code[3].outputs[0]["text"] == "after the exercises 6\n"


def test_the_placeholder_keeps_only_names_that_later_cells_use():
    source = "import math\nhelper = 2\nmy_encoder = helper * 3\nresult, other = 1, 2\ndef f():\n    pass\n"
    placeholder = release.placeholder_source(source, "Exercise 1.1", ["check(my_encoder, other)", "f()"], [])
    assert placeholder.splitlines()[1:] == ["my_encoder = ...", "other = ...", "f = ..."]
    assert release.placeholder_source("%timeit x", "Exercise 1.1", ["x"], []).count("\n") == 0


def test_a_solution_that_rebinds_a_notebook_name_is_refused():
    with pytest.raises(release.ReleaseError, match="rebinds model"):
        release.placeholder_source("model = 3", "Exercise 1.1", ["print(model)"], ["model = build()"])


def test_a_solution_echoed_in_another_output_is_refused(course):
    instructor, _ = release.load_instructor_notebook(course / "09_small.ipynb")
    leaky = _code(instructor)[-1]
    leaky.outputs.append(nbformat.v4.new_output("stream", name="stdout", text="encoder_part = 784 * base + base\n"))
    with pytest.raises(release.ReleaseError, match="would survive"):
        release.student_notebook(instructor)


def test_the_ipynb_alone_is_enough(course, tmp_path):
    (course / "09_small.py").unlink()
    report = release.release_notebook(course / "09_small.ipynb", tmp_path / "student")
    assert report.solutions == ["Exercise 9.1", "Exercise 9.2"] and report.warnings == []
    assert "answer_9_1 = ..." in report.target.read_text()


def test_a_stale_ipynb_is_reported_and_the_py_wins(course, tmp_path):
    script = course / "09_small.py"
    script.write_text(SCRIPT.replace('print("after the exercises", base * 2)', 'print("changed", base)'))
    report = release.release_notebook(course / "09_small.ipynb", tmp_path / "student")
    assert report.warnings and "older than 09_small.py" in report.warnings[0]
    student = nbformat.read(report.target, as_version=4)
    assert _code(student)[-1].source == 'print("changed", base)'
    assert _code(student)[0].execution_count == 1, "unchanged cells keep their outputs"


def test_from_ipynb_ignores_the_py(course, tmp_path):
    (course / "09_small.py").write_text(SCRIPT.replace("base = 3", "base = 4"))
    report = release.release_notebook(course / "09_small.ipynb", tmp_path / "student", from_ipynb=True)
    assert "base = 3" in report.target.read_text() and report.warnings == []


def test_release_refuses_to_write_over_the_instructor_notebooks(course):
    with pytest.raises(release.ReleaseError, match="holds the instructor notebooks"):
        release.release(course, [course / "09_small.ipynb"])


def test_the_command_line(course, tmp_path, capsys):
    output = tmp_path / "copies"
    assert main(["release", str(course / "09_small.py"), "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    assert "2 solution(s) replaced (Exercise 9.1, Exercise 9.2), 1 check output(s) cleared" in printed
    assert json.loads((output / "09_small.ipynb").read_text())["cells"]
    assert main(["release", str(course / "09_small.py"), "--output", str(course)]) == 1
    assert "holds the instructor notebooks" in capsys.readouterr().err


def test_release_defaults_to_the_student_folder():
    arguments = build_parser().parse_args(["release"])
    assert arguments.output == "student" and arguments.notebooks == [] and not arguments.from_ipynb
    assert not arguments.force


def test_student_copies_of_the_course(tmp_path):
    reports = release.release(tmp_path)
    assert reports, "no course notebooks found"
    by_stem = {report.source.stem: report for report in reports}
    for exercise in registry.all_exercises():
        report = by_stem[exercise.notebook]
        if any(call.is_check for call in exercise.calls):
            assert f"Exercise {exercise.number}" in report.solutions, exercise.label
    for report in reports:
        student = nbformat.read(report.target, as_version=4)
        instructor, _ = release.load_instructor_notebook(report.source)
        assert release.solution_leaks(instructor, student, report.source.stem) == []
        assert len(student.cells) == len(instructor.cells) - report.removed_claims
        assert not [cell for cell in student.cells if release.is_claim(cell)]
        assert not release.answer_leaks(student, report.source.stem), report.target
    assert sum(report.removed_claims for report in reports) > 0, "the course's claim cells were not found"
    assert reports[0].results and all(path.is_file() for path in reports[0].results)


@pytest.fixture
def notebook_2(tmp_path):
    """A copy of the course's notebook 2 (in the exercise registry), .py and executed .ipynb."""
    folder = tmp_path / "course"
    folder.mkdir()
    for suffix in (".py", ".ipynb"):
        shutil.copy(release.notebooks.NOTEBOOK_DIR / f"02_one_hidden_layer{suffix}", folder)
    return folder / "02_one_hidden_layer.py"


def _retag_first_solution(script: Path, tags: str) -> None:
    text = script.read_text()
    assert '# %% tags=["solution"]' in text
    script.write_text(text.replace('# %% tags=["solution"]', f"# %%{tags}", 1))


@pytest.mark.parametrize("tags", ["", ' tags=["solutions"]', ' tags=["Solution"]'])
def test_an_exercise_without_its_solution_tag_is_not_released(notebook_2, tags, tmp_path, capsys):
    _retag_first_solution(notebook_2, tags)
    output = tmp_path / "copies"
    assert main(["release", str(notebook_2), "--output", str(output)]) == 1
    err = capsys.readouterr().err
    assert "02_one_hidden_layer" in err and "Exercise 2.1" in err
    assert "tag its solution cell `solution`" in err or "not 'solution'" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not output.exists() or not any(output.iterdir()), "nothing is written"


def test_one_bad_notebook_stops_the_whole_release(notebook_2, course, tmp_path, capsys):
    _retag_first_solution(notebook_2, "")
    output = tmp_path / "copies"
    assert main(["release", str(course / "09_small.py"), str(notebook_2), "--output", str(output)]) == 1
    assert not (output / "09_small.ipynb").exists()


def test_a_misspelled_solution_tag_is_a_leak(course):
    (course / "09_small.py").write_text(SCRIPT.replace('tags=["solution"]', 'tags=["solutons"]', 1))
    instructor, _ = release.load_instructor_notebook(course / "09_small.py")
    with pytest.raises(release.ReleaseError, match=r"cell 3 \(Exercise 9.1\) is tagged 'solutons', not 'solution'"):
        release.student_notebook(instructor)


def test_release_keeps_what_is_already_there_unless_forced(course, tmp_path, capsys):
    output = tmp_path / "copies"
    argv = ["release", str(course / "09_small.py"), "--output", str(output)]
    assert main(argv) == 0
    target = output / "09_small.ipynb"
    target.write_text(target.read_text().replace("answer_9_1 = ...", "answer_9_1 = 5491"))
    edited = target.read_text()
    capsys.readouterr()
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"{output} already holds 09_small.ipynb" in err and "--force" in err
    assert target.read_text() == edited and list(output.iterdir()) == [target]
    assert main([*argv, "--force"]) == 0
    printed = capsys.readouterr().out
    backups = list(output.glob("09_small.ipynb.bak-*"))
    assert len(backups) == 1 and backups[0].read_text() == edited and str(backups[0]) in printed
    assert "answer_9_1 = ..." in target.read_text() and "5491" not in target.read_text()
    assert main([*argv, "--force"]) == 0
    assert len(list(output.glob("09_small.ipynb.bak-*"))) == 2, "a second backup never replaces the first"


def test_two_notebooks_with_one_name_are_refused(course, tmp_path, capsys):
    other = tmp_path / "other"
    shutil.copytree(course, other)
    assert main(["release", str(course / "09_small.py"), str(other / "09_small.py"), "--output", str(tmp_path / "c")]) == 1
    assert "both" in capsys.readouterr().err and not (tmp_path / "c").exists()


def test_an_output_that_is_a_file_is_refused(course, tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    assert main(["release", str(course / "09_small.py"), "--output", str(a_file)]) == 1
    err = capsys.readouterr().err
    assert f"{a_file} is a file, not a folder" in err and "Traceback" not in err and a_file.read_text() == "mine"


@pytest.mark.parametrize("text", ["{not json", "[]", '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}'])
def test_an_unreadable_notebook_is_refused(course, tmp_path, capsys, text):
    (course / "09_small.ipynb").write_text(text)
    assert main(["release", str(course / "09_small.ipynb"), "--from-ipynb", "--output", str(tmp_path / "c")]) == 1
    err = capsys.readouterr().err
    assert "cannot read" in err and "09_small.ipynb" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_an_unreadable_course_notebook_is_not_said_to_keep_its_solution(notebook_2, tmp_path, capsys):
    executed = notebook_2.with_suffix(".ipynb")
    executed.write_text(executed.read_text()[:1000])  # cut short
    assert main(["release", str(executed), "--from-ipynb", "--output", str(tmp_path / "c")]) == 1
    err = capsys.readouterr().err
    assert f"cannot read {executed}" in err and "kept its solution" not in err


def _without_student_metadata(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    del notebook.metadata["course"]
    nbformat.write(notebook, path)


@pytest.mark.parametrize(
    "how, says",
    [(lambda path: None, "its metadata says so"), (_without_student_metadata, "its exercise cells are placeholders")],
    ids=["as written", "metadata lost"],
)
def test_a_student_copy_is_not_released_again(course, tmp_path, capsys, how, says):
    first = release.release_notebook(course / "09_small.py", tmp_path / "student").target
    how(first)
    again = tmp_path / "again"
    assert main(["release", str(first), "--output", str(again)]) == 1
    err = capsys.readouterr().err
    assert f"09_small.ipynb is already a student copy ({says})" in err and "release the instructor's notebook" in err
    assert len(err.strip().splitlines()) == 1 and not again.exists()


def test_a_returned_copy_names_the_instructor_notebook_not_a_kept_solution(notebook_2, tmp_path, capsys):
    returned = release.release_notebook(notebook_2, tmp_path / "student").target
    returned.write_text(returned.read_text().replace("= ...", "= 42"))  # the student's answers
    assert main(["release", str(returned), "--output", str(tmp_path / "again")]) == 1
    err = capsys.readouterr().err
    assert "02_one_hidden_layer.ipynb is already a student copy" in err and "kept" not in err
    assert "notebooks/02_one_hidden_layer.py instead" in err


# One source for what an exercise is: the registry -----------------------------------------------


def test_every_check_a_notebook_calls_is_in_the_registry_whatever_its_module():
    """release and the leak tests find check cells through the registry, so a check outside it would escape."""
    called = set()
    for script in sorted(release.notebooks.NOTEBOOK_DIR.glob("[0-9][0-9]_*.py")):
        called |= set(re.findall(r"\b(checks\w*\.check_\w+)\s*\(", script.read_text()))
    assert called, "no check calls found in the notebooks"
    assert called <= registry.check_names(), called - registry.check_names()
    modules = {call.function.__module__ for exercise in registry.all_exercises() for call in exercise.calls if call.is_check}
    assert len(modules) > 1, "only one check module seen"


def test_a_check_of_any_module_is_a_check_cell():
    for name in registry.check_names():
        assert release.is_check(nbformat.v4.new_code_cell(f"result = {name}(answer)")), name
    assert not release.is_check(nbformat.v4.new_code_cell("checks.record_prediction(bce='lower')"))
    assert not release.is_check(nbformat.v4.new_markdown_cell("checks.check_encoder_2(my_encoder)"))


def _with_cell(course, source: str, after: str = "base = 3\n") -> None:
    script = course / "09_small.py"
    script.write_text(script.read_text().replace(after, f"{after}\n# %%\n{source}\n", 1))
    nbformat.write(_executed(jupytext.read(script)), course / "09_small.ipynb")


def test_claim_cells_are_left_out(course, tmp_path):
    _with_cell(course, 'environment.claim(base == 3, "base is three")')
    report = release.release_notebook(course / "09_small.ipynb", tmp_path / "student")
    student = nbformat.read(report.target, as_version=4)
    assert report.removed_claims == 1
    assert not any("environment.claim" in cell.source for cell in student.cells)


def test_a_claim_cell_that_defines_a_later_name_is_refused(course):
    _with_cell(course, 'doubled = base * 2\nenvironment.claim(doubled == 6, "six")', after="math.sqrt(answer_9_1)\n")
    script = course / "09_small.py"
    script.write_text(script.read_text() + "\n# %%\nprint(doubled)\n")
    with pytest.raises(release.ReleaseError, match="doubled"):
        release.prepare(script)


@pytest.mark.parametrize(
    "text",
    ["Exercise 2.1: right.\n  ✓ 784-3-784", "Exercise 8.1: not yet.", "the code has 5,491 parameters", "use 33 units"],
)
def test_a_verdict_or_an_answer_anywhere_is_a_leak(text):
    student = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    student.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    assert release.answer_leaks(student)
    student.cells[0].outputs = []
    student.cells.append(nbformat.v4.new_markdown_cell(text))
    assert release.answer_leaks(student)


@pytest.mark.parametrize("text", ["Exercise 2.1: not answered yet.", "15,491 images", "0.9861", "133 units"])
def test_what_gives_nothing_away_is_not_a_leak(text):
    student = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    assert release.answer_leaks(student) == []


def test_release_writes_the_saved_results_and_keeps_a_students_changed_ones(course, tmp_path, capsys):
    saved = course / "results" / "depth_study" / "tensorflow" / "runs.csv"
    saved.parent.mkdir(parents=True)
    saved.write_text("model,seed\nAutoencoder_1,0\n")
    output = tmp_path / "student"
    assert main(["release", str(course / "09_small.py"), "--output", str(output)]) == 0
    copied = output / "results" / "depth_study" / "tensorflow" / "runs.csv"
    assert copied.read_text() == saved.read_text()
    assert "1 saved result file(s)" in capsys.readouterr().out
    copied.write_text("a student's own run\n")
    (output / "results" / "mine.csv").write_text("kept\n")
    (output / "09_small.ipynb").unlink()
    assert main(["release", str(course / "09_small.py"), "--output", str(output)]) == 1
    assert "results/depth_study/tensorflow/runs.csv" in capsys.readouterr().err
    assert copied.read_text() == "a student's own run\n", "nothing is replaced without --force"
    assert main(["release", str(course / "09_small.py"), "--output", str(output), "--force"]) == 0
    assert copied.read_text() == saved.read_text()
    kept = list(copied.parent.glob("runs.csv.bak-*"))
    assert len(kept) == 1 and kept[0].read_text() == "a student's own run\n"
    assert (output / "results" / "mine.csv").read_text() == "kept\n", "a file the course does not ship stays"


def test_a_placeholder_keeps_no_name_that_only_a_claim_cell_reads(course, tmp_path):
    _with_cell(course, 'environment.claim(encoder_part > 0, "positive")', after="math.sqrt(answer_9_1)\n")
    report = release.release_notebook(course / "09_small.ipynb", tmp_path / "student")
    student = nbformat.read(report.target, as_version=4)
    placeholder = next(cell for cell in student.cells if release.PLACEHOLDER_TAG in cell.metadata.get("tags", []))
    assert "encoder_part" not in placeholder.source and "answer_9_1 = ..." in placeholder.source


def test_a_later_notebook_may_use_an_earlier_exercises_answer_but_not_its_own_or_a_later_one():
    page = "Autoencoder_2_wide is 784-33-2-33-784."  # exercise 3.2's answer, a control of notebook 6
    assert release.page_leaks(page, "06_measuring_latent_quality") == []
    assert release.page_leaks(page, "03_two_hidden_layers")
    assert release.page_leaks(page, "notebooks/02_one_hidden_layer")
    assert release.page_leaks(page)  # any other page: every answer counts
