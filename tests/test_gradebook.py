"""The gradebook from a grade table built by hand: points, partial credit, work graded by hand, totals, exports."""

import math

import pandas as pd
import pytest

from course_utils.exercises import registry
from course_utils.maintain import gradebook
from course_utils.maintain.gradebook import BY_HAND, TOTAL

NB02, NB09 = "02_one_hidden_layer", "09_conclusion"
GRADE_COLUMNS = ["student", "notebook", "exercise", "title", "passed", "score", "message", "status"]
# ada returned notebooks 2 and 9 (a pass, partial credit, a check that did not run); grace only notebook 2.
GRADED = [
    ("ada", NB02, "2.1", "yes", 1.0),
    ("ada", NB02, "2.2", "no", 0.5),
    ("ada", NB09, "9.1", "no", 0.6),
    ("ada", NB09, "9.2", "not run", math.nan),
    ("grace", NB02, "2.1", "not run", math.nan),
    ("grace", NB02, "2.2", "yes", 1.0),
]


def points(number: str) -> int:
    return registry.find(number).points


def manual(notebook: str) -> tuple[registry.ManualItem, ...]:
    return registry.manual_items(notebook)


def by_hand_column(item: registry.ManualItem) -> str:
    return f"{item.notebook} {item.number} {item.title} ({BY_HAND})"


@pytest.fixture
def table() -> pd.DataFrame:
    rows = [
        (student, notebook, number, registry.find(number).title, passed, score, "a message", "ok")
        for student, notebook, number, passed, score in GRADED
    ]
    return pd.DataFrame(rows, columns=GRADE_COLUMNS)


@pytest.fixture
def book(table) -> pd.DataFrame:
    return gradebook.gradebook(table)


def rows_of(book: pd.DataFrame, student: str, exercise: str) -> pd.Series:
    found = book[(book["student"] == student) & (book["exercise"] == exercise)]
    assert len(found) == 1, found
    return found.iloc[0]


def test_the_registry_has_what_the_synthetic_class_needs():
    assert manual(NB02) and manual(NB09), "notebooks 2 and 9 each have work graded by hand"
    assert {number for _, _, number, _, _ in GRADED} <= {exercise.number for exercise in registry.all_exercises()}


# ---------------------------------------------------------------------------------------------
# Points and partial credit
# ---------------------------------------------------------------------------------------------


def test_points_come_from_the_registry_and_earned_is_the_score_times_the_points(table):
    scored = gradebook.with_points(table)
    assert list(scored.columns) == [*GRADE_COLUMNS, "points", "earned"]
    assert list(scored["points"]) == [points(number) for _, _, number, _, _ in GRADED]
    expected = [round((0.0 if math.isnan(score) else score) * points(number), 2) for _, _, number, _, score in GRADED]
    assert list(scored["earned"]) == expected
    assert list(table.columns) == GRADE_COLUMNS, "the grader's table is left as it was"


def test_partial_credit_is_rounded_to_two_decimals(table):
    table.loc[0, "score"] = 6 / 7
    assert gradebook.with_points(table).loc[0, "earned"] == round(6 / 7 * points("2.1"), 2)


def test_a_check_that_did_not_run_earns_nothing(table):
    scored = gradebook.with_points(table)
    assert (scored.loc[table["passed"] == "not run", "earned"] == 0).all()


def test_a_score_outside_0_and_1_never_earns_more_than_the_points(table):
    table.loc[0, "score"], table.loc[1, "score"] = 5.0, -1.0
    scored = gradebook.with_points(table)
    assert list(scored.loc[:1, "earned"]) == [points("2.1"), 0.0]


def test_a_table_without_scores_counts_a_pass_as_full_points(table):
    scored = gradebook.with_points(table.drop(columns="score"))
    assert list(scored["earned"]) == [points(number) if passed == "yes" else 0 for _, _, number, passed, _ in GRADED]


def test_a_table_that_is_not_the_graders_is_refused(table):
    with pytest.raises(gradebook.GradebookError, match="no column passed"):
        gradebook.with_points(table.drop(columns="passed"))
    table.loc[0, "exercise"] = "99.9"
    with pytest.raises(gradebook.GradebookError, match="'99.9' of the grade table is not in the registry"):
        gradebook.with_points(table)


# ---------------------------------------------------------------------------------------------
# Rows graded by hand, totals
# ---------------------------------------------------------------------------------------------


def test_each_notebook_returned_gets_its_rows_to_grade_by_hand(book):
    hand = book[book["passed"] == BY_HAND]
    expected = [("ada", item) for item in manual(NB02) + manual(NB09)] + [("grace", item) for item in manual(NB02)]
    assert list(zip(hand["student"], hand["exercise"])) == [(student, item.number) for student, item in expected]
    assert list(hand["points"]) == [item.points for _, item in expected]
    assert hand["earned"].isna().all() and hand["score"].isna().all()
    capstone = rows_of(book, "ada", manual(NB09)[-1].number)
    assert capstone["status"] == f"to grade by hand: {manual(NB09)[-1].rubric}" and capstone["title"] == "capstone project"
    widget = rows_of(book, "ada", manual(NB02)[0].number)
    assert widget["status"].startswith("to grade by hand: ") and "by hand: by hand" not in widget["status"]


def test_the_rows_come_student_by_student_notebook_by_notebook_each_student_ending_with_the_total(book):
    def listed(student, notebook):
        return [number for s, n, number, _, _ in GRADED if (s, n) == (student, notebook)]

    ada = listed("ada", NB02) + [item.number for item in manual(NB02)]
    ada += listed("ada", NB09) + [item.number for item in manual(NB09)] + [TOTAL]
    grace = listed("grace", NB02) + [item.number for item in manual(NB02)] + [TOTAL]
    assert list(book["exercise"]) == ada + grace
    assert list(book["student"]) == ["ada"] * len(ada) + ["grace"] * len(grace)
    assert list(book.columns) == [*GRADE_COLUMNS, "points", "earned"]


def test_totals_count_the_points_earned_possible_and_still_to_grade(book):
    table = gradebook.totals(book)
    assert list(table.columns) == ["student", "earned", "possible", "open_items", "open_points", "complete"]
    ada = table.set_index("student").loc["ada"]
    assert ada["earned"] == points("2.1") + round(0.5 * points("2.2"), 2) + round(0.6 * points("9.1"), 2)
    hand_points = sum(item.points for item in manual(NB02) + manual(NB09))
    assert ada["possible"] == sum(points(n) for n in ("2.1", "2.2", "9.1", "9.2")) + hand_points
    assert (ada["open_items"], ada["open_points"], ada["complete"]) == (len(manual(NB02) + manual(NB09)), hand_points, False)
    grace = table.set_index("student").loc["grace"]
    assert grace["earned"] == points("2.2") and grace["possible"] == points("2.1") + points("2.2") + manual(NB02)[0].points


def test_the_total_row_repeats_the_totals(book):
    total, summed = rows_of(book, "ada", TOTAL), gradebook.totals(book).set_index("student").loc["ada"]
    assert (total["earned"], total["points"]) == (summed["earned"], summed["possible"])
    assert total["score"] == round(summed["earned"] / summed["possible"], 4)
    assert total["status"] == "to grade by hand" and "2 still to grade by hand" in total["message"]


def test_work_graded_by_hand_counts_once_filled_in_and_the_totals_are_made_again(book, tmp_path):
    path = tmp_path / "grades.csv"
    gradebook.write(book, path)
    again = gradebook.read(path)
    assert list(again["exercise"]) == list(book["exercise"]) and again["student"].tolist() == book["student"].tolist()
    hand = again["passed"] == BY_HAND
    again.loc[hand, "earned"] = again.loc[hand, "points"] - 1
    recounted = gradebook.with_totals(again)
    assert (recounted["exercise"] == TOTAL).sum() == 2, "the old total rows are replaced, not added to"
    total = rows_of(recounted, "grace", TOTAL)
    assert total["status"] == "complete" and total["message"] == ""
    assert total["earned"] == points("2.2") + manual(NB02)[0].points - 1


def test_an_empty_table_gives_an_empty_gradebook(table):
    book = gradebook.gradebook(table.iloc[:0])
    assert book.empty and list(book.columns) == [*GRADE_COLUMNS, "points", "earned"]


# ---------------------------------------------------------------------------------------------
# LMS exports
# ---------------------------------------------------------------------------------------------


def assignment_columns() -> list[str]:
    return [NB02, *map(by_hand_column, manual(NB02)), NB09, *map(by_hand_column, manual(NB09))]


def checked_points(notebook: str) -> int:
    return sum(exercise.points for exercise in registry.exercises_in(notebook) if exercise.is_checked)


def test_the_assignments_are_each_notebook_then_its_work_graded_by_hand(book):
    table = gradebook.assignments(book)
    assert list(table["assignment"]) == assignment_columns()
    expected = [checked_points(NB02), *(item.points for item in manual(NB02))]
    expected += [checked_points(NB09), *(item.points for item in manual(NB09))]
    assert list(table["points"]) == expected


def test_the_canvas_export_has_canvas_columns_and_its_points_possible_row(book):
    table = gradebook.canvas(book)
    assert list(table.columns) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *assignment_columns()]
    possible, ada, grace = (table.iloc[index] for index in range(3))
    assert possible["Student"] == "Points Possible" and possible["SIS Login ID"] == "" and possible["ID"] == ""
    assert list(possible[assignment_columns()]) == list(gradebook.assignments(book)["points"])
    assert (ada["Student"], ada["ID"], ada["SIS User ID"], ada["SIS Login ID"], ada["Section"]) == ("ada", "", "", "ada", "")
    assert ada[NB02] == points("2.1") + round(0.5 * points("2.2"), 2)
    assert ada[NB09] == round(0.6 * points("9.1"), 2)
    assert pd.isna(grace[NB09]), "a notebook not returned is no score, which changes nothing in Canvas"
    assert all(pd.isna(ada[by_hand_column(item)]) for item in manual(NB02) + manual(NB09)), "not graded by hand yet"
    assert len(table) == 3


def test_the_moodle_export_has_an_identifier_column_then_the_assignments(book):
    table = gradebook.moodle(book)
    assert list(table.columns) == ["username", *assignment_columns()]
    assert list(table["username"]) == ["ada", "grace"], "no points row: Moodle would read it as a student"
    assert table.loc[1, NB02] == points("2.2") and pd.isna(table.loc[1, NB09])
    assert list(gradebook.moodle(book, identifier="useremail").columns)[0] == "useremail"
    with pytest.raises(gradebook.GradebookError, match="not 'email'"):
        gradebook.moodle(book, identifier="email")


def test_the_exports_map_folders_to_lms_ids_and_notebooks_to_assignment_names(book):
    ids, names = {"ada": "ada.lovelace"}, {NB02: "Notebook 2 (1234)"}
    canvas = gradebook.canvas(book, ids, names)
    assert list(canvas["SIS Login ID"][1:]) == ["ada.lovelace", "grace"] and "Notebook 2 (1234)" in canvas.columns
    assert canvas.loc[0, "Notebook 2 (1234)"] == checked_points(NB02) and NB02 not in canvas.columns
    moodle = gradebook.moodle(book, ids, names)
    assert list(moodle["username"]) == ["ada.lovelace", "grace"] and "Notebook 2 (1234)" in moodle.columns


def test_graded_work_by_hand_appears_in_the_exports(book):
    hand = book["passed"] == BY_HAND
    book.loc[hand, "earned"] = book.loc[hand, "points"]
    capstone = by_hand_column(manual(NB09)[-1])
    assert gradebook.canvas(book).loc[1, capstone] == manual(NB09)[-1].points
    assert gradebook.moodle(book).loc[0, capstone] == manual(NB09)[-1].points


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def test_the_writers_keep_a_file_already_there(book, tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("an instructor's edits\n", encoding="utf-8")
    backup = gradebook.write(book, path)
    assert backup is not None and backup.name.startswith("grades.csv.bak-")
    assert backup.read_text(encoding="utf-8") == "an instructor's edits\n"
    assert gradebook.write(book, path) != backup, "a second backup never replaces the first"
    assert len(list(tmp_path.glob("grades.csv.bak-*"))) == 2 and not list(tmp_path.glob(".*partial"))


def test_the_exports_are_written_beside_the_gradebook_as_each_lms_reads_them(book, tmp_path):
    written = gradebook.write_exports(book, tmp_path / "grades.csv")
    assert sorted(path.name for path in written) == ["grades-canvas.csv", "grades-moodle.csv"]
    assert all(backup is None for backup in written.values())
    lines = (tmp_path / "grades-canvas.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *assignment_columns()])
    possible = gradebook.assignments(book)["points"]
    assert lines[1] == ",".join(["Points Possible", "", "", "", "", *(str(value) for value in possible)]), "5, not 5.0"
    ada = [points("2.1") + 0.5 * points("2.2"), *[""] * len(manual(NB02)), round(0.6 * points("9.1"), 2)]
    ada += [""] * len(manual(NB09))
    assert lines[2] == ",".join(["ada", "", "", "ada", "", *(f"{value:g}" if value != "" else "" for value in ada)])
    moodle = (tmp_path / "grades-moodle.csv").read_text(encoding="utf-8").splitlines()
    assert moodle[0] == ",".join(["username", *assignment_columns()]) and moodle[1] == ",".join(
        ["ada", *lines[2].split(",")[5:]]
    )
    again = gradebook.write_exports(book, tmp_path / "grades.csv")
    assert all(backup is not None and backup.exists() for backup in again.values())


def test_the_command_line_counts_the_rows_graded_by_hand_and_refuses_a_bad_one(book, tmp_path, capsys):
    from course_utils.maintain.cli import main

    path = tmp_path / "grades.csv"
    gradebook.write(book, path)
    filled = gradebook.read(path)
    by_hand = filled["passed"] == gradebook.BY_HAND
    filled.loc[by_hand, "earned"] = filled.loc[by_hand, "points"]
    gradebook.write(filled, path)
    assert main(["gradebook", str(path)]) == 0
    assert "every row is graded" in capsys.readouterr().out
    totals = gradebook.totals(gradebook.filled_in(gradebook.read(path)))
    assert totals["open_items"].sum() == 0
    assert (tmp_path / "grades-canvas.csv").exists() and (tmp_path / "grades-moodle.csv").exists()
    filled = filled.astype({"earned": object})
    filled.loc[by_hand.idxmax(), "earned"] = "ten"  # as a spreadsheet may save it
    gradebook.write(filled, path)
    with pytest.raises(SystemExit):
        main(["gradebook", str(path)])
    assert "earned 'ten' is not a number from 0 to" in capsys.readouterr().err
