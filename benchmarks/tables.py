"""Markdown tables of the benchmark reports, written by pandas (``DataFrame.to_markdown``, through tabulate)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd


def markdown_table(rows: Iterable[Mapping] | pd.DataFrame, text_columns: int = 1) -> str:
    """A Markdown table of ready-formatted cells: the first ``text_columns`` columns left-aligned,
    the numbers after them right-aligned; a cell a row does not have is left empty.

    The cells are printed as given (``disable_numparse``): tabulate would otherwise reformat
    ``"1.00"`` as ``1``.
    """
    frame = pd.DataFrame(rows).fillna("")
    alignment = ["left"] * text_columns + ["right"] * (frame.shape[1] - text_columns)
    return frame.to_markdown(index=False, disable_numparse=True, colalign=alignment)


def mean_and_sd(rows: Iterable[Mapping] | pd.DataFrame, keys: Sequence[str], digits: Mapping[str, int]) -> pd.DataFrame:
    """``mean ± sd`` of each column of ``digits`` (to that many decimals) per group of ``keys``.

    Groups keep the order in which they first appear; the standard deviation is the sample one
    (n - 1), and 0 for a group of one. Both are the :mod:`statistics` module's, which are exact
    (pandas' sums can round a mean such as 0.2875 up where the exact value rounds down).
    """
    groups = pd.DataFrame(rows).groupby(list(keys), sort=False)[list(digits)]
    means, spreads = groups.agg(statistics.mean), groups.agg(_sample_sd)
    cells = {
        column: [f"{mean:.{places}f} ± {spread:.{places}f}" for mean, spread in zip(means[column], spreads[column])]
        for column, places in digits.items()
    }
    return pd.DataFrame(cells, index=means.index).reset_index()


def _sample_sd(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.stdev(values) if len(values) > 1 else 0.0
