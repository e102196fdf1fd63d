import numpy as np
import pandas as pd
import pytest

from course_utils import tables

pytestmark = pytest.mark.backend


@pytest.mark.parametrize(
    ("p", "text"), [(0.0, "< 0.001"), (0.0004, "< 0.001"), (0.001, "0.001"), (0.0423, "0.042"), (0.5, "0.500")]
)
def test_small_p_values_are_written_as_below_a_thousandth(p, text):
    assert tables.p_text(p) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.244312, "0.244"),
        (0.00062, "0.00062"),
        (0.0, "0.000"),
        (60000, "60,000"),
        (np.int64(4000), "4,000"),
        (12345.0, "12,345"),
        (-0.0123, "-0.012"),
        (float("nan"), "–"),
    ],
)
def test_numbers_are_rounded_for_a_table(value, text):
    assert tables.number_text(value) == text


def _scores() -> pd.DataFrame:
    frame = pd.DataFrame(
        {"bce": [0.2443123, 0.2361], "knn_accuracy": [0.51234, 0.4291], "p_holm": [0.00001, 0.2987], "runs": [10, 10]},
        index=["Autoencoder_1", "PCA (2-D)"],
    )
    frame.index.name = "model"
    return frame


def test_the_display_frame_is_rounded_with_short_headers():
    shown = tables.for_display(_scores())
    assert list(shown.columns) == ["BCE", "kNN", "p (Holm)", "runs"]
    assert shown.loc["Autoencoder_1"].tolist() == ["0.244", "0.512", "< 0.001", "10"]
    assert shown.loc["PCA (2-D)", "p (Holm)"] == "0.299"
    assert shown.index.name == "model"


def test_row_labels_that_name_a_measure_are_short_too():
    frame = pd.DataFrame({"mean": [0.5]}, index=["trustworthiness"])
    assert list(tables.for_display(frame).index) == ["trust"]


def test_rows_with_several_labels_get_short_model_names():
    frame = pd.DataFrame(
        {"gain": [0.01, 0.02]},
        index=pd.MultiIndex.from_tuples(
            [("Autoencoder_3", "PCA (2-D)", "knn_accuracy"), ("Autoencoder_12", "Autoencoder_1", "bce")],
            names=["model", "baseline", "metric"],
        ),
    )
    assert list(tables.for_display(frame).index) == [("AE 3", "PCA", "kNN"), ("AE 12", "AE 1", "BCE")]
    assert list(tables.for_display(_scores()).index) == ["Autoencoder_1", "PCA (2-D)"], "one label: names kept"


def test_the_html_table_cuts_no_cell_and_keeps_every_row():
    long_text = "bce 0.244 vs 0.236 (p < 0.001); mse 0.061 vs 0.058 (p < 0.001); silhouette 0.31 vs 0.42"
    frame = pd.DataFrame({"evidence": [long_text] * 80})
    with pd.option_context("display.max_colwidth", 50, "display.max_rows", 10):
        html = tables.html(frame)
    assert long_text.replace("<", "&lt;") in html
    assert "..." not in html
    assert html.count("<tr") == 81, "a header row and every one of the 80 rows"


def test_the_original_frame_is_left_as_it_was():
    frame = _scores()
    tables.html(frame)
    assert frame["bce"].iloc[0] == 0.2443123 and "knn_accuracy" in frame.columns


def _verdict_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": ["Autoencoder_3", "Autoencoder_3", "Autoencoder_3"],
            "baseline": ["PCA (2-D)", "PCA (2-D)", "Autoencoder_1"],
            "metric": ["knn_accuracy", "silhouette", "bce"],
            1000: ["not shown", "clearly worse", "clearly better"],
            60000: ["clearly better", "clearly worse", "clearly better"],
            "every size": ["depends on size", "clearly worse", "clearly better"],
        }
    )


def test_compact_verdicts_keep_three_measures_in_short_words():
    compact = tables.compact_verdicts(_verdict_table())
    assert list(compact.index) == ["AE 3 vs PCA, kNN", "AE 3 vs AE 1, BCE"]
    assert list(compact.columns) == ["1k", "60k"]
    assert compact.loc["AE 3 vs PCA, kNN"].tolist() == ["–", "better"]


def _measured() -> tuple[pd.DataFrame, dict]:
    measured = pd.DataFrame(
        {
            "model": ["A2", "A2", "A2"],
            "baseline": ["A1", "A1", "A1"],
            "metric": ["bce", "mse", "silhouette"],
            "p_holm": [0.00001, 0.03, 0.4],
            "settled": ["clearly better", "clearly better", "clearly worse"],
        }
    )
    means = {
        "A2": {"bce_mean": 0.225, "mse_mean": 0.055, "silhouette_mean": 0.3},
        "A1": {"bce_mean": 0.244, "mse_mean": 0.061, "silhouette_mean": 0.4},
    }
    return measured, means


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (["clearly better", "clearly better"], "holds"),
        (["clearly better", "not shown"], "not shown"),
        (["clearly better", "clearly worse"], "contradicted"),
        (["not settled"], "not shown"),
    ],
)
def test_a_claim_holds_only_when_every_measure_is_clear(verdicts, expected):
    assert tables.claim_verdict(verdicts, "clearly better", "clearly worse") == expected


def test_the_claims_table_gives_each_measures_evidence_in_full():
    measured, means = _measured()
    claims = [
        tables.Claim("Two reconstruct better", "A2", "A1", ("bce", "mse"), "clearly better", "clearly worse"),
        tables.Claim("Two separate clusters", "A2", "A1", ("silhouette",), "clearly better", "clearly worse"),
    ]
    table = tables.claims_table(claims, measured, means, measured_on="10 seeds × 2 backends")
    assert table["verdict"].tolist() == ["holds", "contradicted"]
    assert table["evidence"].iloc[0] == "BCE 0.225 vs 0.244 (p < 0.001); MSE 0.055 vs 0.061 (p 0.030)"
    assert table["tested as"].iloc[1] == "A2 vs A1" and table["measured on"].iloc[1] == "10 seeds × 2 backends"


def test_overfitting_claims_read_single_runs():
    calm = {"best_epoch": 30, "epochs": 30, "rise": 0.0}
    rising = {"best_epoch": 40, "epochs": 100, "rise": 0.01}
    table = tables.overfitting_claims({3: calm, 4: calm, 5: calm}, rising)
    assert table["verdict"].tolist() == ["not shown", "holds"]
    assert table["tested as"].tolist() == ["depths 3, 4, 5 on 4/5 of the training images", "depth 5 on 300 training images"]
    assert table["evidence"].iloc[1] == "best epoch 40 of 100, rise 0.0100"


def test_overfitting_on_scarce_data_holds_only_when_every_seed_overfits():
    calm = {"best_epoch": 30, "epochs": 30, "rise": 0.0}
    rising = {"best_epoch": 40, "epochs": 100, "rise": 0.01}
    later = {"best_epoch": 60, "epochs": 100, "rise": 0.005}
    table = tables.overfitting_claims({3: calm}, [rising, later])
    assert table["verdict"].iloc[1] == "holds" and table["measured on"].iloc[1] == "2 seeds, 100 epochs"
    assert table["evidence"].iloc[1] == "best epochs 40 to 60 of 100, rises 0.0050 to 0.0100"
    flat = {"best_epoch": 100, "epochs": 100, "rise": 0.0}
    assert tables.overfitting_claims({3: calm}, [rising, flat])["verdict"].iloc[1] == "not shown"
