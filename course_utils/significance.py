"""The statistics the lessons name: Welch's t-test over seeds, Holm's adjustment, verdicts, a paired bootstrap.

A verdict is "clearly better" or "clearly worse" only when Welch's test, Holm-adjusted over the
family of comparisons made together, is below :data:`SIGNIFICANCE`; otherwise it is "not shown".
Gains are signed so that positive means better (lower is better for the losses).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import pandas as pd
from scipy import stats

from course_utils.metrics import LOWER_IS_BETTER, METRIC_DESCRIPTIONS, SAMPLE_SEED

METRIC_NAMES = tuple(METRIC_DESCRIPTIONS)
SIGNIFICANCE = 0.05
CLEAR = {1: "clearly better", -1: "clearly worse"}
COMPARISON_COLUMNS = ("model", "baseline", "metric", "gain", "ci_low", "ci_high", "p", "p_holm", "verdict")
NOT_SHOWN = "not shown"
NOT_SETTLED = "not settled"


class Runs(Protocol):
    """Anything with the rows of its runs, e.g. a :class:`course_utils.study.StudyResult`."""

    runs: list[dict]


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment: compare each adjusted p-value with the family's significance level."""
    order = np.argsort(p_values)
    ranked = np.asarray(p_values, dtype=float)[order] * (len(p_values) - np.arange(len(p_values)))
    adjusted = np.empty(len(p_values))
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(ranked))
    return adjusted


def compare_runs(
    runs: Sequence[dict], pairs: Sequence[tuple[str, str]], metric_names: Sequence[str] = METRIC_NAMES
) -> pd.DataFrame:
    """Every (model, baseline) pair on every metric: gain, its 95% interval, Welch's t-test and Holm's verdict.

    The gain is the model's mean minus the baseline's, signed so that positive means better (lower
    is better for the losses). Welch's t-test compares the two sets of seeds without assuming equal
    spreads; its 95% confidence interval is for the gain. All comparisons of one call form one
    family: their p-values are Holm-adjusted, and a difference is "clearly better" or "clearly
    worse" only when the adjusted p-value is below 5%; otherwise it is "not shown".
    """
    if not runs:  # an empty study (see :func:`course_utils.study.saved_study`): no comparison to make
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    frame = pd.DataFrame(runs)
    rows = []
    for model, baseline in pairs:
        for metric in metric_names:
            sign = -1.0 if metric in LOWER_IS_BETTER else 1.0
            ours = sign * frame.loc[frame["model"] == model, metric].to_numpy(float)
            theirs = sign * frame.loc[frame["model"] == baseline, metric].to_numpy(float)
            test = welch(ours, theirs)
            interval = test.confidence_interval(0.95)
            shift = theirs.mean() if np.ptp(theirs) == 0 else 0.0
            rows.append(
                {
                    "model": model,
                    "baseline": baseline,
                    "metric": metric,
                    "gain": ours.mean() - theirs.mean(),
                    "ci_low": interval.low - shift,
                    "ci_high": interval.high - shift,
                    "p": test.pvalue,
                }
            )
    table = pd.DataFrame(rows)
    table["p_holm"] = holm(table["p"].to_numpy())
    clear = table["p_holm"] < SIGNIFICANCE
    table["verdict"] = np.where(clear, np.where(table["gain"] > 0, CLEAR[1], CLEAR[-1]), NOT_SHOWN)
    return table


def welch(ours: np.ndarray, theirs: np.ndarray):
    """Welch's t-test of two groups of seeds (SciPy's result, with ``pvalue`` and ``confidence_interval``).

    Against a baseline without spread (PCA) it is the one-sample t-test on ``ours``.
    """
    if np.ptp(theirs) == 0:  # SciPy would warn of catastrophic cancellation on the constant sample
        return stats.ttest_1samp(ours, theirs[0])
    return stats.ttest_ind(ours, theirs, equal_var=False)


def interval_half_width(values: Sequence[float], confidence: float = 0.95) -> float:
    """Half the width of the t interval of the mean, ``t(n-1) * sd / sqrt(n)``; NaN for a single value."""
    if len(values) < 2:
        return float("nan")
    return float(stats.t.ppf((1 + confidence) / 2, len(values) - 1) * np.std(values, ddof=1) / np.sqrt(len(values)))


def verdicts_by_backend(
    results: Mapping[str, Runs | None], pairs: Sequence[tuple[str, str]], metric_names: Sequence[str] = METRIC_NAMES
) -> pd.DataFrame:
    """The verdict of every comparison on each backend's study, and the one both agree on.

    A backend whose study is missing (``None``, as :func:`course_utils.study.load_saved` returns it, or empty, as
    :func:`course_utils.study.saved_study` does) is left out with a one-line note, so that the verdicts of the
    others still show.

    Returns:
        One row per (model, baseline, metric) with a column per backend and ``settled``: the
        common verdict, or "not settled" where the backends disagree (no rows when no backend has
        a study).
    """
    missing = [backend for backend, result in results.items() if result is None]  # saved_study's empty ones were announced
    results = {backend: result for backend, result in results.items() if result is not None and result.runs}
    if missing:
        print(
            f"No saved study for {', '.join(missing)} (its folder is missing or damaged): the verdicts below are "
            f"{', '.join(results) or 'no backend'}'s alone. Copy the course's results/ folder next to this notebook."
        )
    columns = ["model", "baseline", "metric"]
    if not results:
        return pd.DataFrame(columns=[*columns, "settled"])
    merged = None
    for backend, result in results.items():
        verdicts = compare_runs(result.runs, pairs, metric_names)[[*columns, "verdict"]]
        verdicts = verdicts.rename(columns={"verdict": backend})
        merged = verdicts if merged is None else merged.merge(verdicts, on=columns)
    backends = list(results)
    agree = merged[backends].nunique(axis=1) == 1
    merged["settled"] = np.where(agree, merged[backends[0]], NOT_SETTLED)
    return merged


def verdict(runs: Sequence[dict], model: str, baseline: str, metric: str) -> str:
    """The verdict on one comparison alone (a family of one): see :func:`compare_runs`."""
    return str(compare_runs(runs, [(model, baseline)], [metric])["verdict"].iloc[0])


def paired_bootstrap(
    ours: pd.DataFrame, theirs: pd.DataFrame, resamples: int = 2_000, confidence: float = 0.95, seed: int = SAMPLE_SEED
) -> pd.DataFrame:
    """How much a gain depends on which test images were drawn: a paired bootstrap over the test images.

    Both representations are scored on the same resampled images each time (paired), so what the
    images have in common cancels. The gain is signed so that positive means better, as in
    :func:`compare_runs`.

    Args:
        ours, theirs: :func:`per_image_scores` of the two representations on the same test images.
        resamples: Bootstrap samples, each as many images as the test set, drawn with replacement.
        confidence: Of the percentile interval.
        seed: Of the resampling.

    Returns:
        One row per measure both have: ``gain`` on all images, ``ci_low``, ``ci_high``.
    """
    if len(ours) != len(theirs):
        raise ValueError(f"both need the same test images, not {len(ours)} and {len(theirs)} rows.")
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(ours), size=(resamples, len(ours)))
    tail = (1 - confidence) / 2 * 100
    rows = []
    for metric in [name for name in ours.columns if name in theirs.columns]:
        sign = -1.0 if metric in LOWER_IS_BETTER else 1.0
        difference = sign * (ours[metric].to_numpy() - theirs[metric].to_numpy())
        resampled = np.nanmean(difference[draws], axis=1)
        low, high = np.percentile(resampled, [tail, 100 - tail])
        rows.append({"metric": metric, "gain": float(np.nanmean(difference)), "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)
