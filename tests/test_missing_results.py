"""A notebook handed out without its saved results says so in one sentence and goes on.

``release`` writes the saved results beside the student copies; these tests are for a copy that
travelled without them (a single notebook uploaded to a learning platform, say): every function a
notebook calls on a missing study returns an empty result, its tables stay empty, and the checks
say why they cannot judge, so no later cell depends on a name a failed cell should have made.
"""

from pathlib import Path

import pandas as pd
import pytest

from course_utils import compare, results, significance, size_study, study, tables
from course_utils.exercises.checks import nb08

pytestmark = pytest.mark.backend


def test_a_missing_depth_study_is_an_empty_one_with_a_sentence(tmp_path, capsys):
    empty = study.saved_study(tmp_path / "depth_study", "tensorflow")
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and "No saved tensorflow study" in printed and "results/" in printed
    assert empty.runs == [] and empty.summary() == []
    assert significance.compare_runs(empty.runs, compare.CLAIM_COMPARISONS).empty


def test_the_verdicts_of_the_backends_that_have_a_study_still_show(tmp_path, capsys):
    saved = study.load_saved(Path(__file__).parents[1] / "notebooks" / "results" / "depth_study", "tensorflow")
    both = {"tensorflow": saved, "jax": study.saved_study(tmp_path, "jax")}
    verdicts = significance.verdicts_by_backend(both, compare.CLAIM_COMPARISONS)
    assert "No saved jax study" in capsys.readouterr().out
    assert len(verdicts) == 25 and (verdicts["settled"] == verdicts["tensorflow"]).all()
    significance.verdicts_by_backend({"tensorflow": saved, "jax": None}, compare.CLAIM_COMPARISONS)
    assert "No saved study for jax" in capsys.readouterr().out, "a study load_saved did not find is named"
    nobody = significance.verdicts_by_backend({"jax": both["jax"]}, compare.CLAIM_COMPARISONS)
    assert nobody.empty and "settled" in nobody.columns


def test_a_missing_size_study_gives_an_empty_figure_tables_and_checks_that_say_why(tmp_path, capsys):
    empty = size_study.load_saved(tmp_path / "size_study")
    printed = capsys.readouterr().out
    assert "No saved size study" in printed and "python -m course_utils study" in printed
    assert size_study.size_figure(empty.summary()) is None
    table = size_study.verdict_table(empty)
    assert table.empty and list(table.columns)[-1] == "every size"
    assert tables.compact_verdicts(table).empty
    beside = size_study.verdicts_beside(empty, [], compare.CLAIM_COMPARISONS, "digits 4k")
    assert beside.empty
    for result in (
        nb08.check_sizes_where_depth_pays([1000], empty),
        nb08.check_depth_gain_by_size({1000: 0.1}, empty),
    ):
        assert not result.passed and "saved size study is missing" in str(result)


def test_claims_on_an_empty_study_give_an_empty_table():
    claim = tables.Claim("Two layers are better than one", "Autoencoder_2", "Autoencoder_1", ("bce",), "a", "b")
    table = tables.claims_table([claim], pd.DataFrame(columns=["model", "baseline", "metric"]), {}, "no seeds")
    assert table.empty and "verdict" in table.columns


def test_missing_saved_runs_give_no_overfitting_rows(tmp_path, capsys):
    assert study.saved_histories(tmp_path / "going_deeper") == {}
    assert "No saved runs" in capsys.readouterr().out
    assert tables.overfitting_claims({3: None, 4: None, 5: None}, None).empty


def test_saved_runs_are_read_by_name(tmp_path):
    results.save_json(tmp_path / "Autoencoder_3.json", "k", {"history": {"loss": [0.3, 0.2]}})
    (tmp_path / "broken.json").write_text("{not json")
    assert study.saved_histories(tmp_path) == {"Autoencoder_3": {"loss": [0.3, 0.2]}}
