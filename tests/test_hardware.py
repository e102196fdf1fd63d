"""The hardware bound (benchmarks/hardware.py) and the throughput report built on it, without training.

The only measurement is one peak on 256 x 256 matrices, a few milliseconds.
"""

from __future__ import annotations

import copy
import json
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is not installed with the course, and `pytest` does not add the root
    sys.path.insert(0, str(ROOT))

from benchmarks import hardware, throughput  # noqa: E402

# --------------------------------------------------------------------------------------------
# Counting operations
# --------------------------------------------------------------------------------------------


def test_flops_of_the_article_models_worked_by_hand():
    # Autoencoder_1, 784 -> 2 -> 784: the layers 784x2 and 2x784 have 1,568 weights each.
    # 6 x (1,568 + 1,568) = 18,816, minus the first layer's input gradient 2 x 1,568 = 3,136.
    assert hardware.training_flops_per_image((784, 2, 784)) == 18_816 - 3_136 == 15_680
    # Autoencoder_2: 784x10 + 10x2 + 2x10 + 10x784 = 7,840 + 20 + 20 + 7,840 = 15,720 weights.
    # 6 x 15,720 = 94,320, minus 2 x 7,840 = 15,680.
    assert hardware.training_flops_per_image((784, 10, 2, 10, 784)) == 94_320 - 15_680 == 78_640
    # Autoencoder_3: 25,088 + 320 + 20 + 20 + 320 + 25,088 = 50,856 weights.
    # 6 x 50,856 = 305,136, minus 2 x 25,088 = 50,176.
    assert hardware.training_flops_per_image((784, 32, 10, 2, 10, 32, 784)) == 305_136 - 50_176 == 254_960


def test_article_layers_are_the_course_models():
    from course_utils import models

    assert list(hardware.ARTICLE_LAYERS) == list(models.ARTICLE_HIDDEN_UNITS)
    for name, hidden in models.ARTICLE_HIDDEN_UNITS.items():
        assert tuple(models.layer_sizes(hidden)) == hardware.ARTICLE_LAYERS[name]


def test_flops_of_a_single_layer_and_bad_widths():
    assert hardware.training_flops_per_image([3, 5]) == 4 * 15  # forward and weight gradient only
    for bad in ([784], [784, 0, 784]):
        with pytest.raises(ValueError, match="two positive layer widths"):
            hardware.training_flops_per_image(bad)


# --------------------------------------------------------------------------------------------
# The bound and the fraction of it
# --------------------------------------------------------------------------------------------


def test_bound_is_the_work_at_the_peak_rate():
    # 15,680 operations x 60,000 images x 50 epochs = 47.04e9 operations; at 100 GFLOP/s, 0.4704 s.
    assert hardware.bound_seconds(15_680, 60_000, 50, 100.0) == pytest.approx(0.4704)
    assert hardware.bound_seconds(1_000, 1_000, 2, 1.0) == pytest.approx(2e-3)
    with pytest.raises(ValueError, match="peak must be positive"):
        hardware.bound_seconds(1, 1, 1, 0.0)


def test_fraction_of_bound_is_one_at_the_hardware_limit():
    assert hardware.fraction_of_bound(2.0, 2.0) == 1.0
    assert hardware.fraction_of_bound(10.0, 0.5) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="measured time must be positive"):
        hardware.fraction_of_bound(0.0, 1.0)


def test_peak_measurement_on_small_matrices_is_a_positive_rate():
    peak = hardware.measure_peak_gflops(size=256, repeats=2)
    assert math.isfinite(peak) and peak > 0
    with pytest.raises(ValueError, match="at least 1"):
        hardware.measure_peak_gflops(size=256, repeats=0)


# --------------------------------------------------------------------------------------------
# The throughput report from a JSON file
# --------------------------------------------------------------------------------------------


def _row(runner: str, model: str, speed: float, size: int = 60_000) -> dict:
    code, backend = runner.split("-") if "-" in runner else (runner, runner)
    return {
        "runner": runner, "code": code, "backend": backend, "size": size, "model": model,
        "samples_per_second": speed, "median_epoch_seconds": size / speed,
        "first_epoch_seconds": 2.5, "compile_seconds": 1.25, "final_loss": 0.2,
    }  # fmt: skip


OLD_REPORT = {  # the format of the committed throughput.json before the bound: no peak_gflops
    "date": "2026-11-27 08:40",
    "arguments": [],
    "quick": False,
    "machine": {"cpu": "AMD EPYC", "cores": 2, "usable_cores": 2, "system": "Linux", "versions": {"numpy": "2.4.6"}},
    "load_average": [0.5, 0.5, 0.5],
    "timing": {"epochs": 5, "warmup": 1, "sizes": [60_000]},
    "course_settings": {"batch_size": 32, "optimizer": "adam", "learning_rate": 0.001, "loss": "bce"},
    "throughput": throughput.add_ratios(
        [_row("course-tensorflow", "Autoencoder_1", 10_000), _row("numpy", "Autoencoder_1", 20_000)]
    ),
    "unavailable": {},
    "budget": {
        "size": 60_000,
        "epochs": 50,
        "note": "",
        "rows": [
            {
                "backend": "tensorflow",
                "total_seconds": 400.0,
                "peak_mb": 1_800.0,
                "model_seconds": {"Autoencoder_1": 100.0, "Autoencoder_2": 140.0, "Autoencoder_3": 160.0},
            },
        ],
    },  # fmt: skip
}


def _cells(text: str) -> list[list[str]]:
    lines = [line.strip() for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines if set(line) - set("|:- ")]


def test_report_of_the_old_format_has_no_bound_columns():
    text = throughput.markdown_report(copy.deepcopy(OLD_REPORT))
    assert "% of peak" not in text and "Hardware bound" not in text
    assert ["Autoencoder_1", "NumPy baseline", "NumPy", "20,000", "2.00", "2.50", "1.25", "0.2000"] in _cells(text)


def test_report_with_a_peak_gives_the_bound_and_the_fraction():
    report = {**copy.deepcopy(OLD_REPORT), "peak_gflops": 100.0, "peak_measurement": {"how": "by hand"}}
    text = throughput.markdown_report(report)
    cells = _cells(text)
    assert cells[0][-2:] == ["bound per epoch (ms)", "% of peak"]
    # One epoch of Autoencoder_1 on 60,000 images: 15,680 x 60,000 / 100e9 s = 9.408 ms. At 10,000 images/s
    # the epoch takes 6 s: 0.1568 % of the peak; at 20,000 images/s, 0.3136 %.
    assert cells[1][0:2] == ["Autoencoder_1", "course train()"] and cells[1][-2:] == ["9.41", "0.16"]
    assert cells[2][0:2] == ["Autoencoder_1", "NumPy baseline"] and cells[2][-2:] == ["9.41", "0.31"]
    # The budget run: (15,680 + 78,640 + 254,960) x 60,000 x 50 / 100e9 = 10.4784 s, of 400 s: 2.62 %.
    assert cells[3][-2:] == ["bound (s)", "% of peak"] and cells[4][-2:] == ["10.48", "2.62"]
    assert "**100.0 GFLOP/s** (by hand)" in text and "15,680, 78,640 and 254,960" in text


def test_report_only_adds_a_peak_to_an_old_json_and_keeps_a_new_one(tmp_path, monkeypatch, capsys):
    output = tmp_path / "throughput"
    output.with_suffix(".json").write_text(json.dumps(OLD_REPORT))
    monkeypatch.setattr(throughput.hardware, "measure_peak_gflops", lambda size, repeats: 50.0)
    throughput.main(["--report-only", "--output", str(output)])
    written = json.loads(output.with_suffix(".json").read_text())
    assert written["peak_gflops"] == 50.0 and "2048x2048 float32" in written["peak_measurement"]["how"]
    assert written["throughput"] == OLD_REPORT["throughput"]  # the measurements are kept as they were
    assert "**50.0 GFLOP/s**" in output.with_suffix(".md").read_text()

    monkeypatch.setattr(throughput.hardware, "measure_peak_gflops", lambda size, repeats: pytest.fail("measured again"))
    throughput.main(["--report-only", "--output", str(output)])  # the new format: its peak is reused
    assert json.loads(output.with_suffix(".json").read_text())["peak_gflops"] == 50.0
    throughput.main(["--report-only", "--output", str(output), "--peak-gflops", "80"])  # a peak given wins
    assert "**80.0 GFLOP/s** (given by --peak-gflops)" in output.with_suffix(".md").read_text()
    capsys.readouterr()


def test_peak_gflops_must_be_positive():
    with pytest.raises(SystemExit):
        throughput.parse_arguments(["--report-only", "--peak-gflops", "0"])
