"""The throughput benchmark's NumPy floor and its tables (no Keras: this file runs in seconds)."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "throughput.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("benchmarks_throughput", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


throughput = _load_script()
TINY = [5, 3, 2, 3, 5]


def _images(rng, count=64, width=16):
    """Noisy copies of four binary prototypes: something a small autoencoder can learn."""
    prototypes = rng.random((4, width)) > 0.5
    noisy = prototypes[rng.integers(0, 4, count)] ^ (rng.random((count, width)) < 0.05)
    return noisy.astype(np.float32)


def test_the_floor_has_the_article_models_sizes_and_activations():
    for hidden, expected in (((), 3_922), ((10,), 16_526), ((32, 10), 51_726)):
        model = throughput.NumpyAutoencoder(throughput.article_layer_sizes(hidden))
        assert model.count_params() == expected
    assert throughput.NumpyAutoencoder(TINY).activations == ["relu", "linear", "relu", "sigmoid"]
    assert throughput.NumpyAutoencoder([5, 2, 5]).activations == ["linear", "sigmoid"]


def test_the_floor_gradient_matches_finite_differences(rng):
    model = throughput.NumpyAutoencoder(TINY, seed=3, dtype=np.float64)
    for param in model.params[1::2]:  # non-zero biases, so every term of the gradient is exercised
        param += rng.normal(0, 0.1, param.shape)
    images = rng.random((4, TINY[0]))
    _, gradients = model.loss_and_gradients(images)
    step = 1e-6
    for param, gradient in zip(model.params, gradients):
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + step
            above = model.loss(images)
            param[index] = saved - step
            below = model.loss(images)
            param[index] = saved
            numeric[index] = (above - below) / (2 * step)
        np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-9)


def test_the_floor_loss_matches_binary_cross_entropy(rng):
    model = throughput.NumpyAutoencoder(TINY, seed=0, dtype=np.float64)
    images = rng.random((6, TINY[0]))
    reconstructions = model.reconstruct(images)
    expected = -np.mean(images * np.log(reconstructions) + (1 - images) * np.log(1 - reconstructions))
    assert model.loss(images) == pytest.approx(expected, rel=1e-10)


def test_the_floor_loss_decreases(rng):
    images = _images(rng)
    model = throughput.NumpyAutoencoder([16, 8, 2, 8, 16], seed=0)
    first = model.loss(images)
    ended = []
    losses = throughput.train_numpy(
        model, images, epochs=30, batch_size=8, learning_rate=1e-2, on_epoch_end=lambda *_: ended.append(1)
    )
    assert len(losses) == len(ended) == 30
    assert losses[-1] < 0.8 * losses[0]
    assert model.loss(images) < 0.8 * first
    assert model.params[0].dtype == np.float32


def test_adams_first_step_moves_each_weight_by_the_learning_rate():
    weights = np.zeros(3, dtype=np.float64)
    throughput.Adam([weights], learning_rate=0.01).step([np.array([2.0, -0.5, 0.1])])
    np.testing.assert_allclose(weights, [-0.01, 0.01, -0.01], rtol=1e-3)


def test_epoch_summary_uses_the_median_after_the_warm_up():
    summary = throughput.summarise_epochs([5.0, 1.0, 3.0, 2.0], samples=600, warmup=1)
    assert summary["median_epoch_seconds"] == 2.0
    assert summary["samples_per_second"] == 300.0
    assert summary["first_epoch_seconds"] == 5.0
    assert summary["compile_seconds"] == 3.0
    with pytest.raises(ValueError, match="more than 1"):
        throughput.summarise_epochs([5.0], samples=600, warmup=1)


def _row(runner, model, speed, size=4_000):
    code, backend = throughput.split_runner(runner)
    return {
        "runner": runner, "code": code, "backend": backend, "size": size, "model": model,
        "samples_per_second": speed, "first_epoch_seconds": 2.5, "compile_seconds": 1.25, "final_loss": 0.2,
    }  # fmt: skip


def test_throughput_table_gives_ratios_to_the_course_default():
    rows = throughput.add_ratios(
        [
            _row("course-tensorflow", "Autoencoder_1", 10_000),
            _row("fit-jax", "Autoencoder_1", 20_000),
            _row("numpy", "Autoencoder_2", 5_000),
            _row("course-tensorflow", "Autoencoder_1", 1_000, size=60_000),
        ]
    )
    table = throughput.throughput_table(rows, {"fit-torch": "torch is not installed"})
    lines = table.splitlines()
    assert "**4,000 images: the offline training set**" in lines
    assert any("speed test only" in line and "repeated 15 times" in line for line in lines)
    assert "| Autoencoder_1 | course train() | TensorFlow | 10,000 | 1.00 | 2.50 | 1.25 | 0.2000 |" in lines
    assert "| Autoencoder_1 | bare model.fit | JAX | 20,000 | 2.00 | 2.50 | 1.25 | 0.2000 |" in lines
    assert "| Autoencoder_2 | NumPy floor | NumPy | 5,000 | – | 2.50 | 1.25 | 0.2000 |" in lines
    assert "- bare model.fit on PyTorch: **not available** (torch is not installed)" in lines
    header = next(line for line in lines if line.startswith("| model"))
    assert all(line.count("|") == header.count("|") for line in lines if line.startswith("| Autoencoder"))


def test_budget_table_and_fastest_backend():
    rows = [
        _row("course-tensorflow", "Autoencoder_1", 1_000),
        _row("course-jax", "Autoencoder_1", 3_000),
        _row("fit-torch", "Autoencoder_1", 9_000),  # not the course's train(): never chosen
    ]
    assert throughput.fastest_backend(rows, ["Autoencoder_1"]) == "jax"
    assert throughput.fastest_backend(rows, ["Autoencoder_1", "Autoencoder_2"]) is None
    table = throughput.budget_table(
        [
            {"backend": "tensorflow", "available": True, "total_seconds": 30.0, "peak_mb": 1500.4,
             "model_seconds": {"Autoencoder_1": 10.0, "Autoencoder_2": 20.0}},
            {"backend": "torch", "available": False, "reason": "torch is not installed"},
        ]
    )  # fmt: skip
    assert "| TensorFlow | 30.0 | 10.0 | 20.0 | 1,500 |" in table.splitlines()
    assert "| PyTorch | not available (torch is not installed) |" in table.splitlines()


def test_markdown_report_names_the_machine_and_the_quick_run():
    report = {
        "date": "2025-01-01 00:00",
        "arguments": ["--quick"],
        "quick": True,
        "machine": throughput.machine(),
        "load_average": (0.5, 0.5, 0.5),
        "timing": {"epochs": 2, "warmup": 1, "sizes": [2_000]},
        "course_settings": {"batch_size": 32, "optimizer": "adam", "learning_rate": 0.001, "loss": "bce"},
        "throughput": throughput.add_ratios([_row("course-tensorflow", "Autoencoder_1", 1_000, size=2_000)]),
        "unavailable": {},
    }
    text = throughput.markdown_report(report)
    assert "--quick run" in text and "2,000 images" in text and "## Budget run\n\n(not run)" in text
    assert report["machine"]["cores"] >= 1 and report["machine"]["versions"]["numpy"] == np.__version__


def test_quick_options_fill_what_is_not_given():
    quick = throughput.parse_arguments(["--quick", "--epochs", "3"])
    assert quick.sizes == [2_000] and quick.epochs == 3 and quick.budget_epochs == 2
    assert quick.output.name == "throughput-quick"
    full = throughput.parse_arguments([])
    assert full.sizes == [4_000, 60_000] and full.budget_epochs == 50 and full.runners[0] == "course-tensorflow"


def test_repeat_to_makes_any_size():
    images = np.arange(8).reshape(4, 2)
    assert throughput.repeat_to(images, 10)[:, 0].tolist() == [0, 2, 4, 6, 0, 2, 4, 6, 0, 2]
    assert throughput.repeat_to(images, 3).shape == (3, 2)


def _load_batch_size_script():
    path = SCRIPT.with_name("batch_size.py")
    spec = importlib.util.spec_from_file_location("benchmarks_batch_size", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_batch_size_budget_projection_is_first_epoch_plus_the_median_ones():
    batch_size = _load_batch_size_script()
    speed = [
        {"batch_size": 32, "model": "a", "first_epoch_seconds": 3.0, "median_epoch_seconds": 1.0},
        {"batch_size": 32, "model": "b", "first_epoch_seconds": 5.0, "median_epoch_seconds": 2.0},
        {"batch_size": 64, "model": "a", "first_epoch_seconds": 100.0, "median_epoch_seconds": 100.0},
    ]
    epochs_after_first = batch_size.BUDGET_EPOCHS - 1
    assert batch_size.projected_budget(speed, 32) == pytest.approx(3 + 5 + epochs_after_first * 3)


def test_batch_size_quality_table_averages_over_seeds():
    batch_size = _load_batch_size_script()
    rows = [
        {"candidate": "batch 32", "model": "A", "epochs": 30, "seconds": seconds, "bce": bce,
         "knn_accuracy": 0.5, "trustworthiness": 0.8}
        for seconds, bce in ((1.0, 0.20), (3.0, 0.22))
    ]
    table = batch_size.quality_table(rows)
    assert "| A | batch 32 | 30 | 2.0 ± 1.4 | 0.2100 ± 0.0141 | 0.500 ± 0.000 | 0.800 ± 0.000 |" in table


def test_budget_verdicts_compare_with_the_issue_targets():
    report = {
        "throughput": [
            _row("course-jax", "Autoencoder_1", 9_600),
            _row("fit-jax", "Autoencoder_1", 10_000),  # course at 0.96 of the bare fit: within 5 %
            _row("course-tensorflow", "Autoencoder_1", 9_000),
            _row("fit-tensorflow", "Autoencoder_1", 10_000),  # course at 0.90: too slow
        ],
        "budget": {
            "size": 60_000,
            "epochs": 50,
            "rows": [
                {"backend": "tensorflow", "total_seconds": 200.0, "peak_mb": 1_500.0},
                {"backend": "jax", "total_seconds": 59.0, "peak_mb": 2_100.0},
            ],
        },
    }
    verdicts = "\n".join(throughput.budget_verdicts(report))
    assert "on JAX: holds (slowest ratio 0.96" in verdicts
    assert "on TensorFlow: does NOT hold (slowest ratio 0.90" in verdicts
    assert "TensorFlow: three models x 50 epochs under 180 s: does NOT hold (200 s)" in verdicts
    assert "JAX: three models x 50 epochs under 60 s: holds (59 s)" in verdicts
    assert "JAX: peak memory under 2,000 MB: does NOT hold (2,100 MB)" in verdicts
    report["budget"]["epochs"] = 2
    assert "apply to 50 epochs on 60,000 images only" in "\n".join(throughput.budget_verdicts(report))


def test_only_load_before_the_run_marks_it_as_not_quiet():
    report = {
        "date": "2025-01-01 00:00",
        "arguments": [],
        "machine": throughput.machine(),
        "load_average": (0.5, 0.5, 0.5),
        "load_average_at_end": (2.4, 1.0, 0.5),  # the benchmark's own threads
        "timing": {"epochs": 2, "warmup": 1, "sizes": [2_000]},
        "course_settings": {},
        "throughput": [],
    }
    assert "not quiet" not in throughput.markdown_report(report)
    report["load_average"] = (1.5, 0.5, 0.5)
    assert "not quiet (load average 1.5 at the start)" in throughput.markdown_report(report)
