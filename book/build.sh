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

# Two editions from the same notebooks (book/_ext/course_book.py): the public student edition in
# book/_build/html (no solution, no check verdict, no instructor guide) and the instructor edition
# in book/_build/instructor/_build/html (solutions folded, the guide). A fresh site each time: no
# page, image or script of an earlier build (a renamed notebook, say) survives.
build_edition() {  # build_edition EDITION TOC OUTPUT
  local started=$SECONDS
  rm -rf "$3/_build/html" "$3/_build/.doctrees" "$3/_build/jupyter_execute" "$3/_build/.jupyter_cache"
  COURSE_BOOK_EDITION=$1 jupyter-book build . --config book/_config.yml --toc "$2" --path-output "$3" \
    --builder html --all -W -n --keep-going
  echo "book: $1 edition built in $((SECONDS - started)) s, $(du -sh "$3/_build/html" | cut -f1) in $3/_build/html"
}
build_edition student book/_toc.yml book
build_edition instructor book/_toc_instructor.yml book/_build/instructor
