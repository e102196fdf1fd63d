"""The notebooks' run times: one CSV file, and every table and estimate that states one agrees with it.

Nothing here runs a notebook: the timings are small files written by the tests, or the committed one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_utils.exercises import registry
from course_utils.maintain import grade, timings
from course_utils.maintain.cli import main

HEADER = ",".join(timings.COLUMNS)
GOOD_ROWS = (
    "01_a,12.3,11.1,13.4,3,955,2,tensorflow,2026-11-27",
    "02_b,20.5,19.0,33.2,3,1087,2,tensorflow,2026-11-27",
)
STEMS = ["01_a", "02_b", "03_c"]
TABLE = (
    "# Title\n\nbefore\n\n"
    f"{timings.START}\n\n"
    "| notebook | what | about |\n| --- | --- | --- |\n"
    "| `01_a` | first | 1 min |\n| [2. B](../notebooks/02_b.ipynb) | second | x |\n| `03_c` | third | 9 s |\n\n"
    "an old note\n\n"
    f"{timings.END}\n\nafter\n"
)


def _timings_file(folder: Path, *rows: str, header: str = HEADER) -> Path:
    path = folder / "notebook_budgets.csv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def _guide_plans() -> dict[str, list[list[str]]]:
    """The lesson plans' tables in the committed guide, by the heading (or session line) above each."""
    text = timings.GUIDE.read_text(encoding="utf-8")
    plans, title = {}, None
    for line in text[text.index("## Lesson plans") : text.index("### When time is short")].splitlines():
        if line.startswith(("### ", "*Session")):
            title = line
        elif line.startswith("| ") and line[2:3].isdigit() and title:  # a block, not the header or alignment
            plans.setdefault(title, []).append([cell.strip() for cell in line.strip("|").split("|")])
    return plans


# --------------------------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------------------------


def test_a_good_file_is_read_by_notebook(tmp_path):
    read = timings.read_timings(_timings_file(tmp_path, *GOOD_ROWS))
    assert list(read) == ["01_a", "02_b"]
    assert read["02_b"] == timings.NotebookTiming("02_b", 20.5, 19.0, 33.2, 3, 1087.0, 2, "tensorflow", "2026-11-27")
    assert timings.seconds_by_notebook(_timings_file(tmp_path, *GOOD_ROWS)) == {"01_a": 12, "02_b": round(20.5)}


def test_a_missing_file_names_the_command_that_makes_it(tmp_path):
    with pytest.raises(timings.TimingsError, match=r"no notebook timings at .*python benchmarks/notebook_budgets.py"):
        timings.read_timings(tmp_path / "nothing.csv")


@pytest.mark.parametrize(
    ("rows", "header", "says"),
    [
        ((), "notebook,median_s", "lacks the column(s) min_s, max_s, runs, peak_mb, cpus, backend, date"),
        (("01_a,fast,11.1,13.4,3,955,2,tensorflow,2026-11-27",), HEADER, "line 2: median_s is 'fast'"),
        (("01_a,nan,11.1,13.4,3,955,2,tensorflow,2026-11-27",), HEADER, "median_s is 'nan'"),
        (("01_a,12,11.1,inf,3,955,2,tensorflow,2026-11-27",), HEADER, "max_s is 'inf'"),
        (("01_a,12,-1,13,3,955,2,tensorflow,2026-11-27",), HEADER, "min_s is '-1'"),
        (("01_a,,11.1,13.4,3,955,2,tensorflow,2026-11-27",), HEADER, "median_s is ''"),
        (("01_a,14,11.1,13.4,3,955,2,tensorflow,2026-11-27",), HEADER, "min_s <= median_s <= max_s"),
        (("01_a,12,11.1,13.4,0,955,2,tensorflow,2026-11-27",), HEADER, "runs is '0', not a whole number"),
        (("01_a,12,11.1,13.4,2.5,955,2,tensorflow,2026-11-27",), HEADER, "runs is '2.5'"),
        (("01_a,12,11.1,13.4,3,955,0,tensorflow,2026-11-27",), HEADER, "cpus is '0'"),
        (("intro,12,11.1,13.4,3,955,2,tensorflow,2026-11-27",), HEADER, "expected a notebook NN_name"),
        (("01_a,12,11.1,13.4,3,955,2,,2026-11-27",), HEADER, "a backend"),
        (("01_a,12,11.1,13.4,3,955,2,tensorflow,yesterday",), HEADER, "a date YYYY-MM-DD"),
        ((GOOD_ROWS[0], GOOD_ROWS[0]), HEADER, "line 3 repeats the notebook 01_a"),
        (("01_a,12,11.1,13.4,3,955,2,tensorflow,2026-11-27,extra,more",), HEADER, "line 2 has more cells than the header"),
        (("01_a,12,11.1,13.4,3,955,2",), HEADER, "line 2 has fewer cells than the header"),
    ],
)
def test_a_malformed_file_is_named_with_its_line_and_problem(tmp_path, rows, header, says):
    with pytest.raises(timings.TimingsError) as raised:
        timings.read_timings(_timings_file(tmp_path, *rows, header=header))
    assert says in str(raised.value)
    assert str(tmp_path) in str(raised.value)


@pytest.mark.parametrize("content", [b"", b"\x00\xff\xfe garbage \x81"])
def test_an_empty_or_binary_file_is_malformed_not_a_crash(tmp_path, content):
    path = tmp_path / "notebook_budgets.csv"
    path.write_bytes(content)
    with pytest.raises(timings.TimingsError, match="malformed"):
        timings.read_timings(path)


def test_the_committed_file_is_readable_and_names_only_course_notebooks():
    read = timings.read_timings()
    assert read, "benchmarks/results/notebook_budgets.csv lists no notebook"
    assert set(read) <= set(timings.course_stems()), "the timings list a notebook the course does not have"


def test_an_unmeasured_notebook_is_said_to_be_so(tmp_path):
    read = timings.read_timings(_timings_file(tmp_path, *GOOD_ROWS))
    assert timings.run_time("01_a", read) == "12 s"
    assert timings.run_time("03_c", read) == timings.NOT_MEASURED
    note = " ".join(timings.timing_note(read, STEMS).split())  # the note is wrapped at 100 characters
    assert "Not measured yet: 03_c" in note and "slowest run of any notebook took 33.2 s" in note
    assert "peaked at 1.1 GB" in note and "2-core CPU with TensorFlow" in note and "2026-11-27" in note
    assert timings.timing_note({}, STEMS).startswith("No notebook has been measured yet")


# --------------------------------------------------------------------------------------------
# The tables of README.md and the instructor guide
# --------------------------------------------------------------------------------------------


def test_only_the_time_column_and_the_note_are_rewritten(tmp_path):
    read = timings.read_timings(_timings_file(tmp_path, *GOOD_ROWS))
    text = timings.with_run_times(TABLE, "about", read, STEMS)
    assert text.startswith("# Title\n\nbefore\n\n") and text.endswith(f"{timings.END}\n\nafter\n")
    assert "| `01_a` | first | 12 s |" in text
    assert "| [2. B](../notebooks/02_b.ipynb) | second | 20 s |" in text
    assert f"| `03_c` | third | {timings.NOT_MEASURED} |" in text
    assert "an old note" not in text and "Not measured yet: 03_c" in text
    assert timings.with_run_times(text, "about", read, STEMS) == text, "rewriting twice changes nothing"


@pytest.mark.parametrize(
    ("text", "column", "stems", "says"),
    [
        (TABLE.replace(timings.END, ""), "about", STEMS, "needs the lines"),
        (TABLE, "run time", STEMS, "has no column 'run time'"),
        (TABLE, "about", ["01_a", "02_b"], "names no notebook of the course"),
        (TABLE, "about", [*STEMS, "04_d"], "has no row for 04_d; add one"),
    ],
)
def test_a_table_that_cannot_be_rewritten_says_why(tmp_path, text, column, stems, says):
    read = timings.read_timings(_timings_file(tmp_path, *GOOD_ROWS))
    with pytest.raises(timings.TimingsError, match=re.escape(says)):
        timings.with_run_times(text, column, read, stems, name="README.md")


def test_writing_checks_every_file_before_it_writes_any(tmp_path):
    path = _timings_file(tmp_path, *GOOD_ROWS)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for stem in STEMS:
        (notebooks / f"{stem}.py").touch()
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(TABLE)
    bad.write_text("no markers")
    with pytest.raises(timings.TimingsError, match="bad.md needs the lines"):
        timings.write_timing_tables(path, {good: "about", bad: "about"}, notebooks)
    assert good.read_text() == TABLE
    assert timings.write_timing_tables(path, {good: "about"}, notebooks) == [good]
    assert timings.write_timing_tables(path, {good: "about"}, notebooks) == []


@pytest.mark.parametrize("path", list(timings.TIME_COLUMNS), ids=lambda path: path.name)
def test_the_committed_tables_show_the_measured_times(path):
    text = path.read_text(encoding="utf-8")
    expected = timings.with_run_times(
        text, timings.TIME_COLUMNS[path], timings.read_timings(), timings.course_stems(), name=path.name
    )
    assert text == expected, f"{path.name}'s run times differ from the benchmark's: run `python -m course_utils guide`"


def test_the_guide_command_reports_a_broken_timings_file(monkeypatch, capsys):
    def broken() -> list[Path]:
        raise timings.TimingsError("no notebook timings at somewhere.csv")

    monkeypatch.setattr(registry, "write_guide_table", lambda: False)
    monkeypatch.setattr(timings, "write_timing_tables", broken)
    assert main(["guide"]) == 1
    assert "no notebook timings at somewhere.csv" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# grade's estimate
# --------------------------------------------------------------------------------------------


def test_grade_estimates_from_the_timings_file(tmp_path):
    path = _timings_file(tmp_path, "02_one_hidden_layer,100.4,90,110,3,955,2,tensorflow,2026-11-27")
    chosen = [grade.Submission("ada", Path(name)) for name in ("02_one_hidden_layer.ipynb", "09_conclusion.ipynb")]
    # each notebook twice: the student's copy, and once more the instructor's run that fills the shared cache
    expected = 2 * (100 + grade.UNMEASURED_SECONDS + 2 * grade.START_SECONDS) / 60
    assert grade.estimate_minutes(chosen, path) == pytest.approx(expected)
    assert grade.estimate_line(chosen, path) == "Grading 2 notebooks of 1 student, 1 at a time, about 5 minutes."
    assert grade.estimate_minutes(chosen, path, jobs=2) == pytest.approx(expected / 2)


def test_grade_uses_the_committed_timings():
    chosen = [grade.Submission("ada", Path(f"{stem}.ipynb")) for stem in timings.read_timings()]
    seconds = sum(timing.seconds for timing in timings.read_timings().values())
    assert grade.estimate_minutes(chosen) == pytest.approx(2 * (seconds + len(chosen) * grade.START_SECONDS) / 60)


def test_grade_without_timings_says_why_and_still_grades(tmp_path):
    chosen = [grade.Submission("ada", Path("02_one_hidden_layer.ipynb"))]
    with pytest.raises(timings.TimingsError, match="no notebook timings"):
        grade.estimate_minutes(chosen, tmp_path / "missing.csv")
    line = grade.estimate_line(chosen, tmp_path / "missing.csv")
    assert line.startswith("Grading 1 notebook of 1 student, 1 at a time (no time estimate: no notebook timings at")


# --------------------------------------------------------------------------------------------
# The instructor guide's class times and lesson plans
# --------------------------------------------------------------------------------------------


def _class_minutes() -> dict[str, int]:
    text = timings.GUIDE.read_text(encoding="utf-8")
    table = text[text.index(timings.START) : text.index(timings.END)]
    found = re.findall(r"^\| \[\d+\. [^]]+\]\(\.\./notebooks/(\d\d_\w+)\.ipynb\) \|.*\| (\d+) min \|", table, re.M)
    return {stem: int(minutes) for stem, minutes in found}


def test_the_guide_states_the_sum_of_its_class_times():
    minutes = _class_minutes()
    assert len(minutes) >= len(timings.read_timings()), "a notebook row of the guide has no class time"
    hours, rest = divmod(sum(minutes.values()), 60)
    assert f"The class times add up to {hours} hours {rest} minutes" in timings.GUIDE.read_text(encoding="utf-8")


def test_each_class_time_leaves_room_for_the_notebooks_exercises():
    for stem, minutes in _class_minutes().items():
        exercises = sum(exercise.minutes for exercise in registry.exercises_in(stem))
        assert exercises < minutes, f"{stem}: {exercises} min of exercises in a class time of {minutes} min"


def test_each_lesson_plan_adds_up_and_starts_each_block_when_the_last_ends():
    plans = _guide_plans()
    assert len(plans) == 3, list(plans)  # 90 minutes, and the two sessions of the 3-hour plan
    for title, rows in plans.items():
        start = 0
        for row in rows:
            assert int(row[0]) == start, f"{title}: the block {row} should start at {start}"
            start += int(row[1])
        assert start == 90, f"{title} lasts {start} minutes, not 90"


def test_a_planned_exercise_gets_at_least_its_registry_minutes():
    for title, rows in _guide_plans().items():
        for row in rows:
            named = re.match(r"Exercise (\d\.\d)", row[2])
            if named and any(exercise.number == named.group(1) for exercise in registry.all_exercises()):
                needed = registry.find(named.group(1)).minutes
                assert int(row[1]) >= needed, f"{title}: exercise {named.group(1)} needs {needed} min, has {row[1]}"


def test_a_homework_time_the_guide_states_is_the_registrys():
    text = timings.GUIDE.read_text(encoding="utf-8")
    paragraphs = [part for part in text.split("\n\n") if part.startswith("**Homework")]
    assert paragraphs, "the lesson plans give no homework"
    for paragraph in paragraphs:
        stated = re.search(r"(\d+) minutes at\s+the registry's times", paragraph)
        assert stated, f"{paragraph[:40]}...: a homework states no time"
        numbers = re.findall(r"\b(\d\.\d)\b", paragraph)
        total = sum(registry.find(number).minutes for number in numbers)
        assert int(stated.group(1)) == total, f"{paragraph[:40]}...: the registry gives {total} minutes"


def test_the_books_promise_of_under_a_minute_per_notebook_holds_for_every_measured_run():
    intro = (timings.ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    assert "Each notebook runs in under a minute" in intro, "the intro's run-time promise moved: update this test"
    slowest = {stem: timing.max_s for stem, timing in timings.read_timings().items()}
    assert set(slowest) == set(timings.course_stems()), "a notebook has not been measured"
    assert max(slowest.values()) < 60, f"a notebook took a minute or more: {slowest}"
