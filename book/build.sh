#!/usr/bin/env bash
# Build the course book to static HTML in book/_build/html: bash book/build.sh
#
# 1. Refuses to build when a committed notebook is stale: its outputs may not be what the current
#    code produces (course_utils.notebooks.stale_reason), or its .py pair was edited since.
#    The book never executes a notebook; run `python -m course_utils execute notebooks/NN_x.ipynb`.
# 2. Builds with Jupyter Book 1 (pip install -r book/requirements.txt), strictly: every warning,
#    missing reference or notebook problem fails the build (-W -n --keep-going), and every page is
#    re-read (--all) so that a warning cannot hide in a page cached by an earlier build.
set -euo pipefail
cd "$(dirname "$0")/.."

python - <<'PY'
import sys
from pathlib import Path

from course_utils.maintain import notebooks

problems = []
chapters = notebooks.course_notebooks()
for script in sorted(notebooks.NOTEBOOK_DIR.glob("[0-9][0-9]_*.py")):
    if not script.with_suffix(".ipynb").exists():
        problems.append(f"{script.name} has no executed notebook: run `python -m course_utils execute "
                        f"{script.with_suffix('.ipynb').relative_to(Path.cwd())}`")
for path in chapters:
    reason = notebooks.stale_reason(path) or notebooks.pairing_problem(path)
    if reason:
        problems.append(reason)
if not chapters:
    problems.append("there is no executed notebook notebooks/NN_*.ipynb to publish")
if problems:
    print("book: not building, the committed notebooks are not up to date:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    sys.exit(1)
print(f"book: {len(chapters)} notebooks are up to date: {', '.join(path.name for path in chapters)}")
PY

# A fresh site: no page, image or script of an earlier build (a renamed notebook, say) survives.
rm -rf book/_build/html book/_build/.doctrees book/_build/jupyter_execute book/_build/.jupyter_cache
started=$SECONDS
jupyter-book build . --config book/_config.yml --toc book/_toc.yml --path-output book \
  --builder html --all -W -n --keep-going
echo "book: built in $((SECONDS - started)) s, $(du -sh book/_build/html | cut -f1) in book/_build/html"
