import os

import numpy as np
import pytest

from course_utils import environment

pytestmark = pytest.mark.backend


def test_setup_prints_backend_seed_and_versions(capsys):
    environment.setup(seed=5)
    found = environment.versions()
    printed = capsys.readouterr().out
    assert f"Keras backend: {found['backend']}" in printed
    assert "seed: 5" in printed
    assert f"keras {found['keras']}" in printed


def test_setup_seeds_numpy():
    environment.setup(seed=11)
    first = np.random.rand(3)
    environment.setup(seed=11)
    np.testing.assert_array_equal(first, np.random.rand(3))


def test_quiet_tensorflow_respects_a_users_choice(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    environment.quiet_tensorflow()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "1"
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"


def test_importing_the_package_imports_no_keras():
    import subprocess
    import sys

    code = "import sys, course_utils; print('keras' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_setup_writes_nothing_to_stderr_on_this_backend():
    """The Setup cell must show no native start-up lines, whichever backend KERAS_BACKEND chose."""
    import subprocess
    import sys

    code = "from course_utils import environment; environment.setup(seed=1)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Keras backend:" in result.stdout
    assert result.stderr == ""


def test_a_claim_that_holds_is_silent(capsys):
    environment.claim(True, "anything")
    assert capsys.readouterr().out == ""


def test_a_false_claim_stops_the_reference_run(monkeypatch):
    import pytest

    monkeypatch.setenv(environment.REFERENCE_RUN_VARIABLE, "1")
    with pytest.raises(environment.ClaimError, match="The text says: three layers win. This run does not show it."):
        environment.claim(False, "three layers win", "BCE 0.21 against 0.20")


def test_a_false_claim_is_a_friendly_note_in_a_students_run(monkeypatch, capsys):
    monkeypatch.delenv(environment.REFERENCE_RUN_VARIABLE, raising=False)
    environment.claim(False, "three layers win", "BCE 0.21 against 0.20")
    printed = capsys.readouterr().out
    assert printed.startswith("Note: the text says three layers win; your run does not show it.")
    assert "It shows BCE 0.21 against 0.20." in printed and "read on" in printed


def test_the_test_suite_is_a_reference_run():
    assert environment.reference_run(), "tests/conftest.py must make pytest's notebook runs strict"


def test_versions_that_made_the_book_are_the_pinned_ones():
    from pathlib import Path

    pinned = dict(
        line.split("==", 1)
        for line in (Path(__file__).resolve().parents[1] / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    for name, version in environment.RECORDED_VERSIONS.items():
        assert pinned[name] == version, f"constraints.txt pins {name} {pinned[name]}, environment records {version}"


def test_setup_says_when_keras_or_the_backend_differs_from_the_books():
    book = {"keras": environment.RECORDED_VERSIONS["keras"], "backend": "tensorflow"}
    book["tensorflow"] = environment.RECORDED_VERSIONS["tensorflow"]
    assert environment.version_difference(book) == ""
    newer = environment.version_difference({**book, "keras": "9.0.0"})
    assert "you have keras 9.0.0 and tensorflow" in newer and "may differ slightly" in newer
    jax = environment.version_difference({"keras": book["keras"], "backend": "jax", "jax": "0.10.2"})
    assert "you have keras" in jax and "jax 0.10.2" in jax


def test_processors_of_one_name_but_other_instruction_sets_are_told_apart(monkeypatch):
    """Float sums repeat exactly only on the same instruction set: the name alone ("AMD EPYC") is not enough."""
    block = "processor\t: 0\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC\nstepping\t: 1\nflags\t\t: {}\n\n"
    described = {}
    for flags in ("fpu sse2 avx2", "fpu sse2 avx2 avx512f"):
        monkeypatch.setattr(environment.Path, "read_text", lambda self, flags=flags: block.format(flags))
        described[flags] = environment.processor()
    first, second = described.values()
    assert first != second and "AMD EPYC (25/1/1, flags " in first
