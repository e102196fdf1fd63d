"""Exercises 8.1 and 8.2: reading the data-size study (synthetic runs, so every verdict is known)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import size_study, study
from course_utils.exercises.checks import nb08

SIZES = (1_000, 60_000)
# kNN accuracy per seed: at 1,000 Autoencoder_2 and Autoencoder_3 have higher means than PCA but the seeds do not
# show it; at 60,000 both are clearly above it. At 1,000 the difference of the medians of Autoencoder_3 and
# Autoencoder_1 (0.03) is Autoencoder_3's mean gain over PCA, a coincidence a check must not read as that mistake.
KNN = {
    (1_000, "Autoencoder_1"): [0.50, 0.52, 0.51, 0.49, 0.50],
    (1_000, "Autoencoder_2"): [0.52, 0.47, 0.55, 0.46, 0.51],
    (1_000, "Autoencoder_3"): [0.55, 0.50, 0.58, 0.47, 0.53],
    (1_000, study.PCA_NAME): [0.49, 0.50, 0.49, 0.50, 0.50],
    (60_000, "Autoencoder_1"): [0.51, 0.51, 0.52, 0.50, 0.51],
    (60_000, "Autoencoder_2"): [0.60, 0.61, 0.60, 0.61, 0.605],
    (60_000, "Autoencoder_3"): [0.66, 0.67, 0.66, 0.67, 0.665],
    (60_000, study.PCA_NAME): [0.53, 0.53, 0.53, 0.53, 0.53],
}
DEPTHS = {"Autoencoder_1": 1, "Autoencoder_2": 2, "Autoencoder_3": 3, study.PCA_NAME: 0}


def _result() -> size_study.SizeStudyResult:
    runs = []
    for (size, model), values in KNN.items():
        for seed, value in enumerate(values):
            other = {metric: 0.5 + 0.001 * seed for metric in study.METRIC_NAMES}
            runs.append(
                {
                    "train_size": size,
                    "model": model,
                    "depth": DEPTHS[model],
                    "seed": seed,
                    "epochs": 1,
                    "updates": 1,
                    "parameters": 1,
                    **other,
                    "knn_accuracy": value,
                }
            )
    config = size_study.SizeStudyConfig(SIZES, depths=(1, 2, 3), seeds=tuple(range(5)))
    return size_study.SizeStudyResult(config, runs, "synthetic")


RESULT = _result()


def _gains() -> dict[int, float]:
    return {size: sum(KNN[size, "Autoencoder_3"]) / 5 - sum(KNN[size, "Autoencoder_1"]) / 5 for size in SIZES}


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def test_the_synthetic_study_separates_means_from_verdicts():
    """What exercises 8.1 and 8.2 rest on: higher means at both sizes, a verdict at one."""
    for model in ("Autoencoder_2", "Autoencoder_3"):
        assert all(sum(KNN[size, model]) > sum(KNN[size, study.PCA_NAME]) for size in SIZES)
    verdicts = size_study.verdicts_by_size(RESULT)
    chosen = verdicts[
        (verdicts["model"] == "Autoencoder_2")
        & (verdicts["baseline"] == study.PCA_NAME)
        & (verdicts["metric"] == "knn_accuracy")
    ]
    assert dict(zip(chosen["train_size"], chosen["verdict"])) == {1_000: "not shown", 60_000: "clearly better"}
    median_gain = _median(KNN[1_000, "Autoencoder_3"]) - _median(KNN[1_000, "Autoencoder_1"])
    pca_gain = (sum(KNN[1_000, "Autoencoder_3"]) - sum(KNN[1_000, study.PCA_NAME])) / 5
    assert math.isclose(median_gain, pca_gain, abs_tol=1e-9)


def test_8_1_right():
    result = nb08.check_sizes_where_depth_pays([60_000], RESULT)
    assert result.passed, result
    assert "Autoencoder_2 is clearly better than PCA (2-D) in knn_accuracy at 60,000" in result.right[0]


def test_8_1_the_sizes_of_the_higher_means_are_named_as_what_the_means_say():
    """The goal of 8.1: a student who compares means is told so, apart from one who reads the verdicts."""
    result = nb08.check_sizes_where_depth_pays([1_000, 60_000], RESULT)
    assert not result.passed
    assert "what the means say, not the verdicts" in result.fix[0] and "Autoencoder_2's mean" in result.fix[0]
    assert result.fix[1].startswith("1,000: at 1,000 the gain is") and "not shown" in result.fix[1]


def test_8_1_a_higher_mean_without_a_test_is_named_for_any_model():
    result = nb08.check_sizes_where_depth_pays([1_000, 60_000], RESULT, model="Autoencoder_3")
    assert not result.passed
    assert any(line.startswith("1,000: at 1,000 the gain is") and "not shown" in line for line in result.fix)


def test_8_1_an_answer_that_is_not_the_means_is_not_called_the_means():
    result = nb08.check_sizes_where_depth_pays([1_000], RESULT)
    assert not result.passed and "what the means say" not in " ".join(result.fix)


def test_8_1_a_hint_first_and_the_recipe_only_after_a_second_wrong_answer():
    first = nb08.check_sizes_where_depth_pays([1_000, 60_000], RESULT)
    assert "Welch" in first.hint and not first.recipe and "verdicts_by_size" not in str(first)
    second = nb08.check_sizes_where_depth_pays([1_000, 60_000], RESULT)
    assert "verdicts_by_size" in second.recipe and "verdicts_by_size" in str(second)
    assert nb08.check_sizes_where_depth_pays([60_000], RESULT).passed


def test_8_1_a_missing_size_is_named():
    result = nb08.check_sizes_where_depth_pays([], RESULT)
    assert result.fix == [result.fix[0]] and result.fix[0].startswith("60,000 is missing")


@pytest.mark.parametrize(
    "answer, says",
    [
        ([4_000], "the study has no such size"),
        ("60000", "is not a list of sizes"),
        ({60_000: True}, "is not a list of sizes"),
        ([60_000.5], "is not a number of training images"),
        ([math.nan], "NaN"),
        (7, "is not a list of sizes"),
    ],
)
def test_8_1_answers_that_are_not_sizes_are_explained(answer, says):
    result = nb08.check_sizes_where_depth_pays(answer, RESULT)
    assert not result.passed and says in " ".join(result.fix), result


def test_8_1_and_8_2_need_the_study():
    for check in (nb08.check_sizes_where_depth_pays, nb08.check_depth_gain_by_size):
        result = check([60_000] if check is nb08.check_sizes_where_depth_pays else _gains(), RESULT.runs)
        assert not result.passed and "pass size_result" in result.fix[0]


def test_unanswered_exercises_say_so():
    assert not nb08.check_sizes_where_depth_pays(..., RESULT).answered
    assert not nb08.check_depth_gain_by_size(..., RESULT).answered


def test_8_2_right_and_says_the_trend():
    """In the synthetic study the gain is clearly larger at the one step: only then may the text say it grows."""
    result = nb08.check_depth_gain_by_size(_gains(), RESULT)
    assert result.passed, result
    text = result.right[0]
    assert "Welch's t-test of the seeds' gains" in text and "Holm" not in text, "one step: nothing to adjust"
    assert "shows a larger gain at every step: the gain grows with every step in data" in text


def _three_sizes(gains: dict[int, list[float]]) -> size_study.SizeStudyResult:
    """Autoencoder_1, Autoencoder_3 (Autoencoder_1 plus the seed's gain) and PCA at each size."""
    runs = []
    for size, seed_gains in gains.items():
        for seed, gain in enumerate(seed_gains):
            base = 0.5 + 0.01 * seed
            for model, value in (("Autoencoder_1", base), ("Autoencoder_3", base + gain), (study.PCA_NAME, 0.45)):
                other = {metric: 0.5 + 0.001 * seed for metric in study.METRIC_NAMES}
                row = {"train_size": size, "model": model, "depth": DEPTHS[model], "seed": seed, "epochs": 1}
                runs.append(row | {"updates": 1, "parameters": 1, **other, "knn_accuracy": value})
    config = size_study.SizeStudyConfig(tuple(gains), depths=(1, 3), seeds=tuple(range(5)))
    return size_study.SizeStudyResult(config, runs, "synthetic")


def _mean_gains(gains: dict[int, list[float]]) -> dict[int, float]:
    return {size: sum(values) / len(values) for size, values in gains.items()}


def test_8_2_a_rising_mean_is_called_growth_only_at_the_step_the_test_shows():
    """Means that rise at every step, with one step beyond the seeds' spread: the text names that step only."""
    gains = {
        1_000: [0.10, 0.12, 0.08, 0.11, 0.09],
        4_000: [0.11, 0.13, 0.08, 0.12, 0.10],
        15_000: [0.20, 0.21, 0.19, 0.22, 0.20],
    }
    result = nb08.check_depth_gain_by_size(_mean_gains(gains), _three_sizes(gains))
    assert result.passed, result
    text = result.right[0]
    assert "The means rise at every step." in text and "Holm-adjusted over the 2 steps" in text
    assert "clearly larger from 4,000 to 15,000" in text and "at 1,000 to 4,000 a change is not shown" in text
    assert "not growth with every step in data" in text and "grows with every step" not in text


def test_8_2_no_step_shown_says_the_study_does_not_show_a_change():
    gains = {
        1_000: [0.10, 0.14, 0.06, 0.12, 0.08],
        4_000: [0.13, 0.07, 0.11, 0.09, 0.12],
        15_000: [0.08, 0.14, 0.10, 0.13, 0.07],
    }
    text = nb08.check_depth_gain_by_size(_mean_gains(gains), _three_sizes(gains)).right[0]
    assert "The means do not rise at every step." in text
    assert "shows no step beyond the seeds' spread: the study does not show that the gain changes with data" in text


def test_8_2_string_keys_are_read():
    assert nb08.check_depth_gain_by_size({str(size): gain for size, gain in _gains().items()}, RESULT).passed


@pytest.mark.parametrize(
    "change, says",
    [
        (lambda gains: {size: -gain for size, gain in gains.items()}, "sign is the other way round"),
        (lambda gains: {size: 100 * gain for size, gain in gains.items()}, "percentage points"),
        (lambda gains: {1_000: gains[1_000]}, "60,000 is missing"),
        (lambda gains: {**gains, 5: 0.1}, "not a size of the study"),
        (lambda gains: {1_000: gains[1_000], 60_000: "a lot"}, "At 60,000"),
        (lambda gains: [0.1, 0.2], "is not a dict"),
    ],
)
def test_8_2_mistakes_are_named(change, says):
    result = nb08.check_depth_gain_by_size(change(_gains()), RESULT)
    assert not result.passed and says in " ".join(result.fix), result


def test_8_2_the_gain_over_pca_is_recognised():
    pca = {size: sum(KNN[size, "Autoencoder_3"]) / 5 - sum(KNN[size, study.PCA_NAME]) / 5 for size in SIZES}
    result = nb08.check_depth_gain_by_size(pca, RESULT)
    assert "gain over PCA" in " ".join(result.fix), result


def test_8_2_a_median_answer_close_to_the_gain_over_pca_is_called_medians():
    """At 1,000 the median difference equals the gain over PCA; the whole answer says which mistake it is."""
    medians = {size: _median(KNN[size, "Autoencoder_3"]) - _median(KNN[size, "Autoencoder_1"]) for size in SIZES}
    text = " ".join(nb08.check_depth_gain_by_size(medians, RESULT).fix)
    assert "difference of the medians" in text and "gain over PCA" not in text, text


def test_8_2_one_value_that_matches_a_mistake_by_chance_is_not_that_mistake():
    pca_at_1000 = (sum(KNN[1_000, "Autoencoder_3"]) - sum(KNN[1_000, study.PCA_NAME])) / 5
    text = " ".join(nb08.check_depth_gain_by_size({**_gains(), 1_000: pca_at_1000 + 0.02}, RESULT).fix)
    assert "at 1,000 is not it" in text and "gain over PCA" not in text and "medians" not in text


def test_another_studys_verdicts_stand_beside_the_sizes():
    """Notebook 8's table: notebook 6's verdict, the verdict at each size, and whether the largest agrees."""
    other = [dict(run, model=run["model"]) for run in RESULT.runs if run["train_size"] == 60_000]
    table = size_study.verdicts_beside(RESULT, other, [("Autoencoder_3", study.PCA_NAME)], "MNIST", ["knn_accuracy"])
    assert list(table.columns) == ["model", "baseline", "metric", "MNIST", 1_000, 60_000, "every size", "same at 60,000"]
    (row,) = table.to_dict("records")
    assert (row["MNIST"], row[1_000], row[60_000], row["same at 60,000"]) == (
        "clearly better",
        "not shown",
        "clearly better",
        "yes",
    )


ANY_ANSWER = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.one_of(st.integers(), st.floats(allow_nan=True), st.text(max_size=5)), max_size=5),
    st.dictionaries(
        st.one_of(st.integers(), st.text(max_size=6)), st.one_of(st.floats(allow_nan=True), st.text(max_size=5)), max_size=5
    ),
)


@settings(max_examples=60, deadline=None)
@given(answer=ANY_ANSWER)
def test_both_checks_answer_anything_and_pass_nothing_odd(answer):
    """Arbitrary answers get a result, never an exception; nothing non-finite passes."""
    for check in (nb08.check_sizes_where_depth_pays, nb08.check_depth_gain_by_size):
        result = check(answer, RESULT)
        assert result.answered and (result.right or result.fix)
        if result.passed:
            values = answer.values() if isinstance(answer, dict) else answer
            assert all(math.isfinite(float(value)) for value in values)
