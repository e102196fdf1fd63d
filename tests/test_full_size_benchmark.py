"""The full-size settings benchmark's choice: the fastest setting within the seed spread of the best."""

from __future__ import annotations

import pytest

from benchmarks import full_size

MODELS = full_size.MODELS


def _rows(candidate: str, epochs: int, seconds: float, bce: list[float], knn: list[float], trust: list[float]) -> list[dict]:
    """Rows of three seeds, the same for every model."""
    return [
        {
            "candidate": candidate,
            "model": model,
            "seed": seed,
            "epochs": epochs,
            "seconds": seconds,
            "bce": bce[seed],
            "knn_accuracy": knn[seed],
            "trustworthiness": trust[seed],
        }
        for model in MODELS
        for seed in range(3)
    ]


STABLE = ([0.300, 0.301, 0.302], [0.60, 0.61, 0.62], [0.90, 0.91, 0.92])


def test_the_fastest_setting_within_the_spread_is_chosen():
    rows = (
        _rows("batch 32, lr 0.001", 30, 30.0, *STABLE)
        + _rows("batch 256, lr 0.003", 30, 10.0, [0.3005, 0.3015, 0.3025], [0.605, 0.615, 0.625], [0.905, 0.91, 0.915])
        + _rows("batch 1024, lr 0.003", 30, 5.0, [0.35, 0.351, 0.352], [0.50, 0.51, 0.52], [0.80, 0.81, 0.82])
    )
    choice = full_size.choose(rows)
    assert (choice["candidate"], choice["epochs"]) == ("batch 256, lr 0.003", 30)
    assert choice["qualifying"] == ["batch 256, lr 0.003, 30 epochs", "batch 32, lr 0.001, 30 epochs"]
    assert choice["seconds"] == pytest.approx(30.0)  # three models at 10 s


def test_an_unstable_setting_does_not_qualify_by_being_noisy():
    """One collapsed seed widens a point's own spread; its tolerance must not widen with it."""
    rows = _rows("batch 32, lr 0.001", 30, 30.0, *STABLE) + _rows(
        "batch 512, lr 0.01", 30, 5.0, [0.30, 0.30, 0.40], [0.62, 0.62, 0.30], [0.92, 0.92, 0.60]
    )
    choice = full_size.choose(rows)
    assert choice["candidate"] == "batch 32, lr 0.001"


def test_when_nothing_qualifies_for_every_model_the_smallest_shortfall_is_chosen_and_said():
    rows = _rows("batch 32, lr 0.001", 30, 30.0, *STABLE) + _rows("batch 64, lr 0.001", 30, 20.0, *STABLE)
    for row in rows:  # each setting is best for some models and far behind for the others
        behind = (row["candidate"] == "batch 32, lr 0.001") == (row["model"] == "Autoencoder_1")
        row["knn_accuracy"] -= 0.2 if behind else 0.0
        row["bce"] += 0.001 if row["candidate"] == "batch 64, lr 0.001" else 0.0
    choice = full_size.choose(rows)
    assert choice["qualifying"] == []
    assert choice["shortfall"] > 1
    assert "No setting is within" in full_size.choice_text(choice)


def test_the_speed_pass_prices_the_points_when_given():
    rows = _rows("batch 32, lr 0.001", 30, 1.0, *STABLE) + _rows("batch 256, lr 0.003", 30, 100.0, *STABLE)
    speed = [
        {"batch_size": batch, "model": model, "first_epoch_seconds": 2.0, "median_epoch_seconds": per_epoch}
        for batch, per_epoch in ((32, 1.0), (256, 0.2))
        for model in MODELS
    ]
    assert full_size.choose(rows)["candidate"] == "batch 32, lr 0.001"  # by the quality runs' own times
    choice = full_size.choose(rows, speed)
    assert choice["candidate"] == "batch 256, lr 0.003"
    assert choice["seconds"] == pytest.approx(3 * (2.0 + 29 * 0.2))


@pytest.mark.parametrize("batch, rate", [(32, 0.001), (1024, 0.01), (256, 0.003)])
def test_a_candidate_name_reads_back(batch, rate):
    assert full_size.parse_candidate(full_size.candidate_name(batch, rate)) == (batch, rate)


def test_the_report_builds_from_saved_results():
    rows = _rows("batch 32, lr 0.001", 30, 30.0, *STABLE) + _rows("batch 256, lr 0.003", 30, 10.0, *STABLE)
    timing = [
        {
            "setting": "batch 256, lr 0.003",
            "model": model,
            "repeat": repeat,
            "epochs": 30,
            "seconds": 10.0 + repeat,
            "projected": False,
        }
        for model in MODELS
        for repeat in range(3)
    ]
    results = {
        "jax": {"measured": "today", "machine": "m", "versions": "v", "seeds": [0, 1, 2], "quality": rows, "timing": timing}
    }
    report = full_size.markdown_report(results)
    assert "Chosen: **batch 256, lr 0.003, 30 epochs**" in report
    cells = [
        [cell.strip() for cell in line.strip("|").split("|")] for line in report.splitlines() if line.startswith("| jax")
    ]
    assert ["jax", "batch 256, lr 0.003", "30", "Autoencoder_3", "11.0", "10.0-12.0", "measured x3"] in [
        row[:7] for row in cells
    ]
    flops = 254_960  # Autoencoder_3 per image, worked in tests/test_hardware.py
    bound = flops * 60_000 * 30 / (full_size.machine_peak_gflops() * 1e9)
    assert [f"{bound:.1f}", f"{100 * bound / 11.0:.1f}"] in [row[7:] for row in cells]


def test_the_readmes_full_size_summary_is_the_one_the_saved_results_make():
    """The README's timings against the hardware bound come from the benchmark's files, never typed by hand."""
    text = full_size.README.read_text()
    start, end = (text.index(marker) for marker in full_size.README_MARKERS)
    written = text[start + len(full_size.README_MARKERS[0]) : end].strip()
    assert written == full_size.readme_block(full_size.saved_results()).strip(), (
        "run `python benchmarks/full_size.py --report-only`"
    )
