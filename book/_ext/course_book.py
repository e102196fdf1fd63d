"""Sphinx extension of the course book: two editions, exercises in numbered boxes, launch buttons.

``bash book/build.sh`` builds the book twice from the same notebooks, choosing the edition with the
environment variable ``COURSE_BOOK_EDITION``:

- ``student`` (the public book): every notebook is shown as the student copy that
  ``python -m course_utils release`` writes (:func:`course_utils.maintain.release.student_notebook`):
  solutions become "your code here" placeholders and check verdicts are removed. A widget, which
  cannot run in a static page, is shown as the static text it stores when it is displayed (its
  question or instructions and its controls, a question's choices among them, never an answer:
  :meth:`course_utils.exercises.widgets.CourseWidget.static_html`), followed by one note that says
  where to use it; the saved state of the instructor's run is left out. The download button
  serves that same student copy.
- ``instructor``: the notebooks as committed; each solution and its check's verdict sit in a
  folded "Solution" box under the exercise.

Notebooks are read through :func:`read_notebook` (wired in ``_config.yml`` as
``nb_custom_formats``); the files themselves are never changed. An exercise is recognised by its
MyST target and heading, ``(ex-2-1)=`` then ``### Exercise 2.1: title``, and set in a
sphinx-exercise box numbered like its heading (Exercise 2.1).

The repository address, which the launch buttons (Binder, Colab) and the repository button are
built from, comes from ``[project.urls] Repository`` in ``pyproject.toml``. While it is not set the
buttons are left out, so that no button leads nowhere.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import nbformat

EDITION_VARIABLE = "COURSE_BOOK_EDITION"
EDITIONS = ("student", "instructor")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
EXERCISE_HEADING = re.compile(
    r"\A\s*\((?P<label>ex-(?P<chapter>\d+)-(?P<number>\d+))\)=\s*\n#+\s*Exercise\s+[\d.]+\s*:\s*(?P<title>[^\n]+)\n?"
)
WIDGET_NOTE = (
    "<p class='course-widget-note'><strong>Interactive:</strong> this is a widget, which needs a running notebook. "
    "Download the notebook (the download button at the top of the page) and run it in JupyterLab to use it.</p>"
)
SOLUTION_TAG = "solution"


def edition() -> str:
    """The edition being built: ``$COURSE_BOOK_EDITION``, ``student`` when unset."""
    chosen = os.environ.get(EDITION_VARIABLE, "student")
    if chosen not in EDITIONS:
        raise ValueError(f"{EDITION_VARIABLE}={chosen!r}: choose one of {', '.join(EDITIONS)}.")
    return chosen


def read_notebook(text: str) -> nbformat.NotebookNode:
    """Read an ``.ipynb`` file's text as MyST-NB does, as the edition being built shows it."""
    notebook = nbformat.reads(text, as_version=4)
    if edition() == "student":
        notebook = student_view(notebook)
    return with_exercise_boxes(notebook, with_solutions=edition() == "instructor")


def student_view(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student copy of a notebook, each widget as its static text and one note on where to use it."""
    from course_utils.maintain import release  # the book's tools may use the maintainer's

    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if "outputs" in cell:
            cell.outputs = _static_widgets(cell.outputs)
    return release.student_notebook(notebook)


def _static_widgets(outputs: list) -> list:
    """A cell's outputs with each course widget as the static text its header stores, then one note.

    The widget's live view (the instructor's saved state) is left out. A widget without stored text
    (a plain ipywidget) becomes the note alone.
    """
    from course_utils.exercises.widgets import STATIC_KEY

    static = [output for output in outputs if STATIC_KEY in output.get("metadata", {})]
    shown = []
    for output in outputs:
        if STATIC_KEY in output.get("metadata", {}):
            text = output.metadata.pop(STATIC_KEY)
            output["data"] = {"text/html": text["text/html"] + WIDGET_NOTE, "text/plain": text["text/plain"]}
        elif WIDGET_VIEW in output.get("data", {}):
            if static:
                continue
            output["data"] = {"text/html": WIDGET_NOTE}
        shown.append(output)
    return shown


def with_exercise_boxes(notebook: nbformat.NotebookNode, with_solutions: bool) -> nbformat.NotebookNode:
    """Each exercise's cells inside an ``exercise`` box; its solution cells inside a folded ``solution`` box.

    An exercise runs from its heading cell to the cell before the next markdown heading.
    """
    cells = notebook.cells
    boxed: list[nbformat.NotebookNode] = []
    index = 0
    while index < len(cells):
        heading = EXERCISE_HEADING.match(cells[index].source) if cells[index].cell_type == "markdown" else None
        if not heading:
            boxed.append(cells[index])
            index += 1
            continue
        end = index + 1
        while end < len(cells) and not _is_heading(cells[end]):
            end += 1
        boxed += _exercise_cells(heading, cells[index], cells[index + 1 : end], with_solutions)
        index = end
    notebook.cells = boxed
    return notebook


def _is_heading(cell: nbformat.NotebookNode) -> bool:
    lines = [line for line in cell.source.splitlines() if line.strip()]
    return cell.cell_type == "markdown" and bool(lines) and bool(re.match(r"#|\(\S+\)=", lines[0]))


def _exercise_cells(heading: re.Match, first: nbformat.NotebookNode, rest: list, with_solutions: bool) -> list:
    label, title = heading["label"], heading["title"].strip()
    task = nbformat.v4.new_markdown_cell(
        f":::{{exercise-start}} {title[:1].upper()}{title[1:]}\n:label: {label}\n:::\n\n" + first.source[heading.end() :]
    )
    solved = next((i for i, cell in enumerate(rest) if SOLUTION_TAG in cell.metadata.get("tags", [])), None)
    if not with_solutions or solved is None:
        return [task, *rest, _marker(":::{exercise-end}\n:::")]
    opening = _marker(f":::{{solution-start}} {label}\n:class: dropdown\n:::")
    return [
        task,
        *rest[:solved],
        _marker(":::{exercise-end}\n:::"),
        opening,
        *rest[solved:],
        _marker(":::{solution-end}\n:::"),
    ]


def _marker(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source)


def number_exercises_like_their_headings(app, env) -> list[str]:  # noqa: ANN001  (Sphinx's event signature)
    """Exercise 2.1 of notebook 2 is "Exercise 2.1" in its box and in links, not "Exercise 1".

    Runs after Sphinx numbered the page's exercises 1, 2, ... (``env-get-updated``, late priority).
    """
    for numbers in env.toc_fignumbers.values():
        for node_id in list(numbers.get("exercise", {})):
            found = re.fullmatch(r"ex-(\d+)-(\d+)", node_id)
            if found:
                numbers["exercise"][node_id] = (int(found[1]), int(found[2]))
    return []


def repository_settings(app, config) -> None:  # noqa: ANN001  (Sphinx's event signature)
    """Launch and repository buttons from ``pyproject.toml``'s repository address, none while it is unset."""
    from course_utils.maintain import notebooks

    url = notebooks.repository_url()
    options = config.html_theme_options
    # No second header with its own sidebar buttons (pydata-sphinx-theme 0.17.1 adds one by default,
    # and its buttons then do nothing on a phone; the pinned 0.16 does not, this keeps it so).
    options.setdefault("navbar_persistent", [])
    launch = dict(options.get("launch_buttons") or {})
    if url:
        options.update(repository_url=url, repository_branch="main", path_to_docs="", use_repository_button=True)
        launch.update(binderhub_url="https://mybinder.org", colab_url="https://colab.research.google.com")
    else:
        options["use_repository_button"] = False
        for key in ("binderhub_url", "colab_url", "jupyterhub_url", "jupyterlite_url"):
            launch.pop(key, None)
    options["launch_buttons"] = launch


def serve_student_copies(app, exception) -> None:  # noqa: ANN001  (Sphinx's event signature)
    """In the student edition, the download button gives the ``release`` copy of each notebook."""
    if exception or edition() != "student" or app.builder.format != "html":
        return
    from course_utils.maintain import release

    sources = Path(app.outdir) / "_sources"
    for docname in app.env.found_docs:
        source = Path(app.srcdir) / f"{docname}.ipynb"
        if source.exists():
            student, _ = release.prepare(source)
            target = sources / f"{docname}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(student, indent=1, ensure_ascii=False) + "\n")


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):  # noqa: ANN001, ARG001
    """Keep one copy of each script of a page.

    Sphinx 7.4 lists an inline script that an extension adds after the builder started (as
    sphinx-thebe and sphinx-togglebutton do) twice, once with the file name ``None`` and once with
    ``""``. The second ``const THEBE_JS_URL = ...`` then throws a SyntaxError in every page.
    """
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", script) or "", tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):  # noqa: ANN001, ANN201  (Sphinx's extension entry point)
    """Register the edition's events; the notebook reader is named in ``nb_custom_formats``."""
    edition()  # a misspelt edition stops the build here
    app.connect("config-inited", repository_settings)
    app.connect("env-get-updated", number_exercises_like_their_headings, priority=900)
    app.connect("build-finished", serve_student_copies)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
