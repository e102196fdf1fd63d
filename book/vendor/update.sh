#!/usr/bin/env bash
# Regenerate book/vendor/static, the JavaScript that the built book serves itself so that it
# renders without the internet, from the npm registry at the versions pinned in package.json and
# package-lock.json. Only the files the book loads are kept:
#   static/mathjax/  MathJax 3, one component with every TeX extension, and its CommonHTML fonts
#   static/widgets/  the ipywidgets HTML manager (embed.js: the standard widgets, no RequireJS needed),
#                    its icon fonts, and mathjax3-for-widgets.js (kept in this folder, not from npm)
# To change a version: edit package.json, run `npm install --package-lock-only` here, then this
# script, then rebuild the book (bash book/build.sh) and commit package*.json and static/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
modules="$work/node_modules"

rm -rf "$here/static"
mkdir -p "$here/static/mathjax/output/chtml/fonts" "$here/static/widgets"

cp "$modules/mathjax/es5/tex-chtml-full.js" "$here/static/mathjax/"
cp -r "$modules/mathjax/es5/output/chtml/fonts/woff-v2" "$here/static/mathjax/output/chtml/fonts/"
cp "$modules/mathjax/LICENSE" "$here/static/mathjax/LICENSE"

cp "$modules/@jupyter-widgets/html-manager/dist/embed.js" "$here/static/widgets/"
cp "$modules/@jupyter-widgets/html-manager/dist/embed.js.LICENSE.txt" "$here/static/widgets/"
cp "$here/mathjax3-for-widgets.js" "$here/static/widgets/"
# The widgets' Font Awesome icons: browsers take the woff2 files, listed first in the CSS.
cp "$modules/@jupyter-widgets/html-manager/dist/"*.woff2 "$here/static/widgets/"
# Where each file comes from, at which version and under which license.
(cd "$modules" && node -e '
  for (const name of ["mathjax", "@jupyter-widgets/html-manager"]) {
    const p = require("./" + name + "/package.json");
    console.log(`${p.name} ${p.version} (${p.license}): ${p.homepage || ""}`);
  }') > "$here/static/NOTICE.txt"

du -sh "$here/static"
