"""Every notebook is paired, executed from the current code, clean, and says which data it used."""

import json
import shutil

import pytest

from course_utils.maintain import notebooks

NOTEBOOKS = notebooks.course_notebooks()


def test_the_course_has_notebooks():
    assert len(NOTEBOOKS) >= 5


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_and_script_pair_agree(path):
    assert notebooks.pairing_problem(path) is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_committed_outputs_come_from_the_current_code(path):
    assert notebooks.stale_reason(path) is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_ran_top_to_bottom_without_errors(path):
    cells = [cell for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"]
    counts = [cell["execution_count"] for cell in cells]
    assert counts == list(range(1, len(cells) + 1))
    assert not any(output["output_type"] == "error" for cell in cells for output in cell["outputs"])
    streams = [output for cell in cells for output in cell["outputs"] if output.get("name") == "stderr"]
    assert not streams, f"stray stderr: {streams[:1]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_states_its_data_source(path):
    text = path.read_text()
    if path.stem == "08_full_size":  # the full-size notebook is about Fashion-MNIST's 60,000 images
        assert "Data: Fashion-MNIST (Zalando, MIT licence), 60,000 train / 10,000 test" in text
    else:
        assert "Data: the course's split of 5,000 real MNIST digits" in text, "the book shows the course's default data"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_opens_with_setup_and_closes_with_summary(path):
    cells = json.loads(path.read_text())["cells"]
    colab, setup = [cell for cell in cells if cell["cell_type"] == "code"][:2]  # test_colab_cell checks the first
    assert "google.colab" in "".join(colab["source"])
    assert "environment.setup(" in "".join(setup["source"])
    headings = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]
    assert any(heading.startswith("## Summary") for heading in headings)


def test_the_reference_environment_is_set_only_while_executing(monkeypatch):
    import os

    from course_utils import data, environment, results

    monkeypatch.delenv("COURSE_REFERENCE_RUN")
    before = dict(os.environ)
    with notebooks._reference_kernel_environment():
        assert environment.reference_run() and os.environ[data.SOURCE_VARIABLE] == "subset"
        assert results.default_dir().is_dir() and not any(results.default_dir().iterdir()), "training must start empty"
    assert dict(os.environ) == before


def test_a_newer_jupytext_pairs_the_same_cells(tmp_path):
    """A newcomer's pip may bring a newer jupytext: only its version line differs, and that is no disagreement."""
    source = notebooks.NOTEBOOK_DIR / "01_introduction.ipynb"
    shutil.copy(source, tmp_path)
    script = tmp_path / "01_introduction.py"
    script.write_text(notebooks.paired_script_text(source).replace("jupytext_version: ", "jupytext_version: 9"))
    assert notebooks.pairing_problem(tmp_path / source.name) is None
    script.write_text(script.read_text().replace("# ## ", "# ### ", 1))
    assert "differ" in notebooks.pairing_problem(tmp_path / source.name)
