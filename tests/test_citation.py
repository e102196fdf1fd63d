"""The course's licences and CITATION.cff: present, complete, and in step with pyproject.toml and README.md.

CITATION.cff is checked against what the Citation File Format 1.2.0 requires and against the files it
refers to; `cffconvert --validate -i CITATION.cff` checks it against the full schema (not a dependency).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest installs tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CITATION = ROOT / "CITATION.cff"
CODE_LICENCE = ROOT / "LICENSE"
CONTENT_LICENCE = ROOT / "LICENSE-CONTENT.md"
README = ROOT / "README.md"
PYPROJECT = ROOT / "pyproject.toml"

REQUIRED_KEYS = ("cff-version", "message", "title", "authors")  # what CFF 1.2.0 requires
# The first line of the licence's usual text, for each SPDX identifier the course could choose.
FIRST_LINES = {"MIT": "MIT License", "Apache-2.0": "Apache License", "BSD-3-Clause": "BSD 3-Clause License"}
CC_BY_LEGAL_CODE = "https://creativecommons.org/licenses/by/4.0/legalcode"


@pytest.fixture(scope="module")
def citation() -> dict:
    """CITATION.cff, parsed."""
    parsed = yaml.safe_load(CITATION.read_text(encoding="utf-8"))
    assert isinstance(parsed, dict), "CITATION.cff must be a YAML mapping of keys to values"
    return parsed


def first_line(path: Path) -> str:
    return path.read_text(encoding="utf-8").splitlines()[0].strip()


def test_citation_has_the_keys_cff_requires(citation: dict) -> None:
    missing = [key for key in REQUIRED_KEYS if not citation.get(key)]
    assert not missing, f"CITATION.cff lacks {', '.join(missing)}, which CFF 1.2.0 requires"
    assert str(citation["cff-version"]) == "1.2.0"


def test_every_author_has_a_name(citation: dict) -> None:
    authors = citation["authors"]
    assert isinstance(authors, list) and authors, "authors must be a non-empty list"
    for author in authors:
        assert isinstance(author, dict) and (author.get("name") or author.get("family-names")), (
            f"an author needs a name (an entity) or family-names (a person): {author!r}"
        )


def test_citation_version_is_the_package_version(citation: dict) -> None:
    version = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    assert str(citation.get("version")) == version, "CITATION.cff's version must equal pyproject.toml's"


def test_release_date_is_an_iso_date(citation: dict) -> None:
    datetime.date.fromisoformat(str(citation.get("date-released")))


def test_citation_licence_is_the_licence_file(citation: dict) -> None:
    licence = citation.get("license")
    assert licence in FIRST_LINES, f"CITATION.cff's license must be one SPDX identifier of {sorted(FIRST_LINES)}"
    assert first_line(CODE_LICENCE) == FIRST_LINES[licence], "LICENSE is not the licence CITATION.cff names"


def test_licence_names_the_authors_and_the_year(citation: dict) -> None:
    year = str(citation["date-released"])[:4]
    names = [author.get("name") for author in citation["authors"] if author.get("name")]
    text = CODE_LICENCE.read_text(encoding="utf-8")
    assert any(f"Copyright (c) {year} {name}" in text for name in names), "LICENSE's copyright line"


def test_content_licence_links_cc_by(citation: dict) -> None:
    assert CC_BY_LEGAL_CODE in CONTENT_LICENCE.read_text(encoding="utf-8")
    assert "CC BY 4.0" in citation["message"], "the message should name the content licence"


def test_citation_cites_the_article_the_course_follows(citation: dict) -> None:
    assert any(
        author.get("family-names") == "Pramoditha" and reference.get("year") == 2022
        for reference in citation.get("references", [])
        for author in reference.get("authors", [])
    ), "references must include Pramoditha (2022), the article the course follows"


@pytest.mark.parametrize("path", [CODE_LICENCE, CONTENT_LICENCE, CITATION], ids=lambda path: path.name)
def test_readme_names_each_file(path: Path) -> None:
    assert path.is_file(), f"{path.name} is missing"
    named = re.search(rf"(?<![\w.-]){re.escape(path.name)}(?![\w-]|\.\w)", README.read_text(encoding="utf-8"))
    assert named, f"README.md does not name {path.name}"
