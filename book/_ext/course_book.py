"""Sphinx extension of the course book: solution cells start collapsed; no script twice on a page.

The course tags the code cell that solves an exercise with ``solution``. MyST-NB only knows its
own tags (``hide-input``, ``hide-cell``, ...), so the book reads notebooks through
:func:`read_notebook` (wired in ``_config.yml`` as ``nb_custom_formats``), which gives every
``solution`` cell the ``hide-cell`` tag and "Show solution" / "Hide solution" prompts. The
notebook file itself is never changed: the download button still serves it as committed.
"""

from __future__ import annotations

import nbformat

SOLUTION_TAG = "solution"
HIDE_TAG = "hide-cell"
SHOW_PROMPT = "Show solution"
HIDE_PROMPT = "Hide solution"


def read_notebook(text: str) -> nbformat.NotebookNode:
    """Read an ``.ipynb`` file's text as MyST-NB does, then collapse the solution cells."""
    notebook = nbformat.reads(text, as_version=4)
    for cell in notebook.cells:
        tags = list(cell.metadata.get("tags", []))
        if cell.cell_type != "code" or SOLUTION_TAG not in tags:
            continue
        if HIDE_TAG not in tags:
            cell.metadata["tags"] = [*tags, HIDE_TAG]
        prompts = cell.metadata.setdefault("mystnb", {})
        prompts.setdefault("code_prompt_show", SHOW_PROMPT)
        prompts.setdefault("code_prompt_hide", HIDE_PROMPT)
    return notebook


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
    """Register the script clean-up; the notebook reader is named in ``nb_custom_formats``."""
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
