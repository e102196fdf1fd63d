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
# NOTICE.txt: where each file comes from, at which version, under which licence, and the licence
# texts that no file of their own here carries. The book serves it with the files (_static/NOTICE.txt).
{
  cat <<'EOF'
Third-party files in this folder (book/vendor/static), which the course book serves itself from
its _static/ folder so that it works offline. Each keeps its own licence, named below; the
course's own licences (LICENSE, LICENSE-CONTENT.md at the repository root) do not cover them.
This file is written by book/vendor/update.sh.

EOF
  (cd "$modules" && node -e '
    const packages = [
      ["mathjax", "mathjax/tex-chtml-full.js, mathjax/output/chtml/fonts/woff-v2/*.woff",
       "the full text is in mathjax/LICENSE"],
      ["@jupyter-widgets/html-manager", "widgets/embed.js",
       "the full text is below (the npm package ships none; it is the ipywidgets project'"'"'s " +
       "LICENSE, as its Python package ships it). embed.js is a bundle that the ipywidgets project " +
       "built; it contains other libraries, such as jQuery, jQuery UI, Backbone, Lodash, Lumino, " +
       "noUiSlider and sanitize-html. The notices the project ships for them are in " +
       "widgets/embed.js.LICENSE.txt and in comments inside embed.js; they do not name every library " +
       "in the bundle"],
      ["@fortawesome/fontawesome-free", "widgets/*.woff2 (the Font Awesome 5 Free Solid, Regular " +
       "and Brands fonts, which the style sheet inside embed.js loads under these hashed names)",
       "the fonts are under the SIL Open Font License 1.1 and the style sheet under the MIT licence; " +
       "Font Awesome'"'"'s licence note and the text of the SIL Open Font License are below"],
    ];
    const wrap = (label, text) => {  // "  label: text", wrapped at 100 characters
      const lines = [`  ${label}:`];
      for (const word of text.split(" ")) {
        const last = lines.length - 1;
        if ((lines[last] + " " + word).length > 100) lines.push("    " + word);
        else lines[last] += " " + word;
      }
      return lines.join("\n");
    };
    for (const [name, files, licence] of packages) {
      const p = require("./" + name + "/package.json");
      const repository = String((p.repository && p.repository.url) || p.repository || "");
      const home = p.homepage || repository.replace(/^(git\+)?(git|https?):\/\//, "https://").replace(/\.git$/, "");
      const licence_id = p.license.startsWith("(") ? p.license : `(${p.license})`;
      console.log(`${p.name} ${p.version} ${licence_id}: ${home}`);
      console.log(`${wrap("files", files)}\n${wrap("licence", licence)}\n`);
    }')
  cat <<'EOF'
The course's own file here is widgets/mathjax3-for-widgets.js, a copy of
book/vendor/mathjax3-for-widgets.js, under the course's MIT licence (LICENSE).


==== @jupyter-widgets/html-manager: the BSD-3-Clause licence of the ipywidgets project ====

Copyright (c) 2015 Project Jupyter Contributors
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.


==== @fortawesome/fontawesome-free: LICENSE.txt ====

EOF
  cat "$modules/@fortawesome/fontawesome-free/LICENSE.txt"
  cat <<'EOF'


==== The Font Awesome fonts (widgets/*.woff2): SIL Open Font License 1.1 ====

Copyright (c) Font Awesome

SIL OPEN FONT LICENSE

Version 1.1 - 26 February 2007

PREAMBLE

The goals of the Open Font License (OFL) are to stimulate worldwide development of collaborative font projects, to support the font creation efforts of academic and linguistic communities, and to provide a free and open framework in which fonts may be shared and improved in partnership with others.

The OFL allows the licensed fonts to be used, studied, modified and redistributed freely as long as they are not sold by themselves. The fonts, including any derivative works, can be bundled, embedded, redistributed and/or sold with any software provided that any reserved names are not used by derivative works. The fonts and derivatives, however, cannot be released under any other type of license. The requirement for fonts to remain under this license does not apply to any document created using the fonts or their derivatives.

DEFINITIONS

"Font Software" refers to the set of files released by the Copyright Holder(s) under this license and clearly marked as such. This may include source files, build scripts and documentation.

"Reserved Font Name" refers to any names specified as such after the copyright statement(s).

"Original Version" refers to the collection of Font Software components as distributed by the Copyright Holder(s).

"Modified Version" refers to any derivative made by adding to, deleting, or substituting — in part or in whole — any of the components of the Original Version, by changing formats or by porting the Font Software to a new environment.

"Author" refers to any designer, engineer, programmer, technical writer or other person who contributed to the Font Software.

PERMISSION & CONDITIONS

Permission is hereby granted, free of charge, to any person obtaining a copy of the Font Software, to use, study, copy, merge, embed, modify, redistribute, and sell modified and unmodified copies of the Font Software, subject to the following conditions:

1) Neither the Font Software nor any of its individual components, in Original or Modified Versions, may be sold by itself.

2) Original or Modified Versions of the Font Software may be bundled, redistributed and/or sold with any software, provided that each copy contains the above copyright notice and this license. These can be included either as stand-alone text files, human-readable headers or in the appropriate machine-readable metadata fields within text or binary files as long as those fields can be easily viewed by the user.

3) No Modified Version of the Font Software may use the Reserved Font Name(s) unless explicit written permission is granted by the corresponding Copyright Holder. This restriction only applies to the primary font name as presented to the users.

4) The name(s) of the Copyright Holder(s) or the Author(s) of the Font Software shall not be used to promote, endorse or advertise any Modified Version, except to acknowledge the contribution(s) of the Copyright Holder(s) and the Author(s) or with their explicit written permission.

5) The Font Software, modified or unmodified, in part or in whole, must be distributed entirely under this license, and must not be distributed under any other license. The requirement for fonts to remain under this license does not apply to any document created using the Font Software.

TERMINATION

This license becomes null and void if any of the above conditions are not met.

DISCLAIMER

THE FONT SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO ANY WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT OF COPYRIGHT, PATENT, TRADEMARK, OR OTHER RIGHT. IN NO EVENT SHALL THE COPYRIGHT HOLDER BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, INCLUDING ANY GENERAL, SPECIAL, INDIRECT, INCIDENTAL, OR CONSEQUENTIAL DAMAGES, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF THE USE OR INABILITY TO USE THE FONT SOFTWARE OR FROM OTHER DEALINGS IN THE FONT SOFTWARE.
EOF
} > "$here/static/NOTICE.txt"

du -sh "$here/static"
