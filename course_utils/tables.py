"""Tables of the course as the book and the notebooks show them: short, rounded, never cut.

Every ``pandas.DataFrame`` a notebook shows goes through :func:`html` (wired by
:func:`course_utils.environment.setup`): numbers rounded (:func:`number_text`), p-values below
0.001 written ``< 0.001`` (:func:`p_text`), the measures' long names shortened in headers and row
labels (:data:`SHORT_NAMES`), and no cell truncated. The book's style sheet then wraps cells
only at spaces, so a table fits a phone without breaking a word.

The tables of notebooks 8 and 9 are built here too: :func:`compact_verdicts` (the data-size
study's verdicts in short words) and :func:`claims_table` / :func:`overfitting_claims` (the
article's claims and their verdicts).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

# Header and row-label names too long for a phone's table, and what they become.
SHORT_NAMES = {
    "knn_accuracy": "kNN",
    "trustworthiness": "trust",
    "bce": "BCE",
    "mse": "MSE",
    "p_holm": "p (Holm)",
    "p_value": "p",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "parameters": "params",
}
# Model names in the row labels of a table with several label columns (model, baseline, metric),
# too wide for a phone with their full names: "Autoencoder_3" becomes "AE 3", "PCA (2-D)" "PCA".
SHORT_MODELS = (
    (re.compile(r"^Autoencoder_(\d+)$"), r"AE \1"),
    (re.compile(r"^Autoencoder_(\d+)_(\w+)$"), r"AE \1 \2"),  # the controls: "AE 2 wide", "AE 3 narrow"
    (re.compile(r"^PCA \(2-D\)$"), "PCA"),
)
LONG_LABEL = 14  # characters: a row label longer than "Autoencoder_3" crowds a phone's table
P_VALUE_COLUMNS = ("p", "p_value", "p_holm", "p (Holm)")
P_FLOOR = 0.001
DECIMALS = 3

# Notebook 8's verdict table: the verdicts in short words (names as SHORT_MODELS and SHORT_NAMES say),
# and the measures that fit a phone.
SHORT_VERDICTS = {"clearly better": "better", "clearly worse": "worse", "not shown": "–"}
COMPACT_MEASURES = ("bce", "knn_accuracy", "trustworthiness")

# Notebook 9's claim verdicts.
HOLDS, CONTRADICTED, NOT_SHOWN = "holds", "contradicted", "not shown"
NOT_TESTED = "not tested"  # another study that lacks one of a claim's comparisons
OVERFITTING_RISE = 0.002  # notebook 7's reading: a validation loss this far above its best


def p_text(p: float) -> str:
    """A p-value as tables show it: ``< 0.001`` below 0.001, else three decimals (``0.042``)."""
    return f"< {P_FLOOR:g}" if p < P_FLOOR else f"{p:.{DECIMALS}f}"


def number_text(value: float, decimals: int = DECIMALS) -> str:
    """A number rounded for a table.

    Whole numbers keep no decimals and get thousands separators (``60,000``); others get
    ``decimals`` decimals (``0.244``), or two significant digits when they are smaller than that
    shows (``0.00062``, so that a small spread is not shown as zero).
    """
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    if not math.isfinite(value):
        return "–" if math.isnan(value) else str(value)
    if float(value).is_integer() and abs(value) >= 1:
        return f"{value:,.0f}"
    if value != 0 and abs(value) < 10**-decimals:
        return f"{value:.2g}" if abs(value) >= 1e-4 else f"{value:.1e}"
    return f"{value:.{decimals}f}"


def short_name(name: object) -> object:
    """A header or row label as tables show it (:data:`SHORT_NAMES`); anything else unchanged."""
    return SHORT_NAMES.get(name, name) if isinstance(name, str) else name


def short_model(name: object) -> object:
    """A model's name as a row label of a wide table (:data:`SHORT_MODELS`), else :func:`short_name`."""
    if isinstance(name, str):
        for pattern, short in SHORT_MODELS:
            if pattern.match(name):
                return pattern.sub(short, name)
    return short_name(name)


def for_display(frame: pd.DataFrame, decimals: int = DECIMALS, short_models: bool | None = None) -> pd.DataFrame:
    """``frame`` with every number as rounded text and short headers, ready to be shown.

    Columns named as p-values (:data:`P_VALUE_COLUMNS`) are written with :func:`p_text`.

    Args:
        frame: The table.
        decimals: Decimals of a number that is not whole.
        short_models: Shorten the models' names in the row labels ("AE 3"); by default only when
            the rows have several labels (model, baseline, metric), or one longer than
            :data:`LONG_LABEL` characters ("Autoencoder_3_narrow"), which a phone cannot fit.
    """
    shown = frame.copy()
    for column in shown.columns:
        is_p = column in P_VALUE_COLUMNS
        shown[column] = [_cell_text(value, decimals, is_p) for value in shown[column]]
    if short_models is None:
        short_models = frame.index.nlevels > 1 or any(len(str(label)) > LONG_LABEL for label in frame.index)
    shown = shown.rename(columns=short_name, index=short_model if short_models else short_name)
    shown.columns = shown.columns.set_names([short_name(name) for name in shown.columns.names])
    shown.index = shown.index.set_names([short_name(name) for name in shown.index.names])
    return shown


def _cell_text(value: object, decimals: int, is_p: bool) -> object:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return value
    if is_p and math.isfinite(value):
        return p_text(float(value))
    return number_text(value, decimals)


def html(frame: pd.DataFrame, decimals: int = DECIMALS) -> str:
    """``frame`` as an HTML table (:func:`for_display`), every row, column and character of it."""
    return for_display(frame, decimals).to_html(
        max_rows=None, max_cols=None, border=0, classes="course-table", na_rep="–", escape=True
    )


# Notebook 8 -------------------------------------------------------------------------------------


def compact_verdicts(table: pd.DataFrame, measures: Sequence[str] = COMPACT_MEASURES) -> pd.DataFrame:
    """The data-size study's verdicts in short words, a row per comparison (notebook 8).

    Args:
        table: :func:`course_utils.size_study.verdict_table`: columns ``model``, ``baseline``,
            ``metric``, one per training-set size and ``every size``.
        measures: The measures shown (the verdicts still come from the family of all of them).

    Returns:
        A row per comparison, labelled "AE 3 vs PCA, kNN", a column per size ("60k").
    """
    rows = table[table["metric"].isin(measures)].drop(columns="every size").replace(SHORT_VERDICTS)
    models, baselines = rows.pop("model").map(short_model), rows.pop("baseline").map(short_model)
    rows.index = models + " vs " + baselines + ", " + rows.pop("metric").map(short_name)
    return rows.rename(columns=lambda column: f"{column // 1000}k" if isinstance(column, int) else column)


# Notebook 9 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One of the article's claims, as a comparison: ``model`` against ``baseline`` on ``metrics``.

    Attributes:
        text: The claim in words, e.g. "Two layers are better than one".
        model: The model claimed better or worse, e.g. "Autoencoder_2".
        baseline: What it is compared with, e.g. "Autoencoder_1".
        metrics: The measures the claim is about.
        claimed: The verdict that supports it on each measure, e.g. "clearly better".
        opposite: The verdict that contradicts it, e.g. "clearly worse".
    """

    text: str
    model: str
    baseline: str
    metrics: tuple[str, ...]
    claimed: str
    opposite: str


def claim_verdict(verdicts: Sequence[str], claimed: str, opposite: str) -> str:
    """``holds`` if every measure's verdict is ``claimed``, ``contradicted`` if one is ``opposite``, else ``not shown``."""
    if all(verdict == claimed for verdict in verdicts):
        return HOLDS
    if opposite in verdicts:
        return CONTRADICTED
    return NOT_SHOWN


def claims_table(
    claims: Sequence[Claim], measured: pd.DataFrame, means: Mapping[str, Mapping[str, float]], measured_on: str
) -> pd.DataFrame:
    """A row per claim: how it was tested, its verdict, and the evidence of each measure.

    Args:
        claims: The claims.
        measured: Every comparison, with columns ``model``, ``baseline``, ``metric``, ``p_holm``
            and ``settled`` (the verdict both backends agree on).
        means: Model to its summary row, with ``<metric>_mean`` for every measure.
        measured_on: What every comparison was measured on, e.g. "10 seeds × 2 backends".

    Returns:
        Columns ``claim``, ``tested as``, ``verdict``, ``evidence`` (each measure's two means and
        its Holm-adjusted p-value, "BCE 0.225 vs 0.244 (p < 0.001)") and ``measured on``.
    """
    if measured.empty:  # an empty study (study.saved_study): no claim can be judged
        return pd.DataFrame(columns=["claim", "tested as", "verdict", "evidence", "measured on"])
    rows = measured.set_index(["model", "baseline", "metric"])

    def evidence(claim: Claim, metric: str) -> str:
        ours, theirs = means[claim.model][f"{metric}_mean"], means[claim.baseline][f"{metric}_mean"]
        p = rows.loc[(claim.model, claim.baseline, metric), "p_holm"]
        return f"{short_name(metric)} {number_text(ours)} vs {number_text(theirs)} (p {p_text(p)})"

    return pd.DataFrame(
        [
            {
                "claim": claim.text,
                "tested as": f"{short_model(claim.model)} vs {short_model(claim.baseline)}",
                "verdict": claim_verdict(
                    [rows.loc[(claim.model, claim.baseline, metric), "settled"] for metric in claim.metrics],
                    claim.claimed,
                    claim.opposite,
                ),
                "evidence": "; ".join(evidence(claim, metric) for metric in claim.metrics),
                "measured on": measured_on,
            }
            for claim in claims
        ]
    )


def verdicts_elsewhere(claims: Sequence[Claim], comparisons: pd.DataFrame, column: str = "verdict") -> list[str]:
    """Each claim's verdict in another study's comparisons (e.g. notebook 8's), read as :func:`claims_table` does.

    Args:
        claims: The claims.
        comparisons: That study's comparisons, with columns ``model``, ``baseline``, ``metric`` and ``column``.
        column: The column that holds each comparison's verdict.

    Returns:
        A verdict per claim: "holds", "contradicted", "not shown", or "not tested" where that study
        lacks one of the claim's comparisons.
    """
    found = {} if comparisons.empty else comparisons.set_index(["model", "baseline", "metric"])[column].to_dict()
    verdicts = []
    for claim in claims:
        keys = [(claim.model, claim.baseline, metric) for metric in claim.metrics]
        if all(key in found for key in keys):
            verdicts.append(claim_verdict([found[key] for key in keys], claim.claimed, claim.opposite))
        else:
            verdicts.append(NOT_TESTED)
    return verdicts


def _scarce_evidence(reports: Sequence[Mapping[str, float]]) -> str:
    """The best epochs and rises of the runs on scarce data, as one run's numbers or as ranges."""
    if len(reports) == 1:
        (report,) = reports
        return f"best epoch {report['best_epoch']} of {report['epochs']}, rise {report['rise']:.4f}"
    best = sorted(report["best_epoch"] for report in reports)
    rises = sorted(report["rise"] for report in reports)
    return f"best epochs {best[0]} to {best[-1]} of {reports[0]['epochs']}, rises {rises[0]:.4f} to {rises[-1]:.4f}"


def overfits(report: Mapping[str, float], rise: float = OVERFITTING_RISE) -> bool:
    """Notebook 7's reading of a run (:func:`course_utils.training.overfitting`): its validation loss rose since its best."""
    return report["rise"] > rise and report["best_epoch"] < report["epochs"]


def overfitting_claims(
    deep: Mapping[int, Mapping[str, float] | None],
    scarce: Mapping[str, float] | Sequence[Mapping[str, float]] | None,
) -> pd.DataFrame:
    """The article's warning about overfitting as two claims, read from notebook 7's runs.

    Args:
        deep: Depth to the overfitting report of its one run on four fifths of the training images.
        scarce: The reports of the deepest model's runs on 300 training images, one per seed (or
            a single report).

    Returns:
        Rows like :func:`claims_table`'s; "holds" means "seen in that one run" for ``deep``, and
        "seen in every seed" for ``scarce``, without a statistical test. No rows when a run's
        report is missing (None, or no scarce run: its saved run was not found).
    """
    scarce = [scarce] if isinstance(scarce, Mapping) else list(scarce or [])
    if not scarce or not deep or any(report is None for report in (*deep.values(), *scarce)):
        return pd.DataFrame(columns=["claim", "tested as", "verdict", "evidence", "measured on"])
    largest_rise = max(report["rise"] for report in deep.values())
    depths = ", ".join(str(depth) for depth in deep)
    epochs = max(report["epochs"] for report in deep.values())
    return pd.DataFrame(
        [
            {
                "claim": "Deeper models overfit",
                "tested as": f"depths {depths} on 4/5 of the training images",
                "verdict": HOLDS if any(overfits(report) for report in deep.values()) else NOT_SHOWN,
                "evidence": f"largest rise of the validation loss {largest_rise:.4f}",
                "measured on": f"1 seed, {epochs} epochs",
            },
            {
                "claim": "The deepest overfits on scarce data",
                "tested as": f"depth {max(deep)} on 300 training images",
                "verdict": HOLDS if all(overfits(report) for report in scarce) else NOT_SHOWN,
                "evidence": _scarce_evidence(scarce),
                "measured on": f"{len(scarce)} seed{'s' if len(scarce) > 1 else ''}, {scarce[0]['epochs']} epochs",
            },
        ]
    )
