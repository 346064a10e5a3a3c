"""The documentation a clone has: code cites docs/domain.md and docs/architecture.md by section, and
every cited section exists; nothing cites a file outside the repository or an issue number."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (".py", ".html", ".txt", ".css", ".js", ".yaml", ".yml")
CITATION = re.compile(r"docs/(domain|architecture)\.md((?:(?:,| and| or)? ?§\d+)+)")
ISSUE = re.compile(r"\bissues? ?#?\d+", re.IGNORECASE)


def _files(*folders: str):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in SOURCES and path.is_file():
                yield path


def _sections(name: str) -> set[int]:
    text = (ROOT / "docs" / f"{name}.md").read_text(encoding="utf-8")
    return {int(n) for n in re.findall(r"^## (\d+)\. ", text, re.MULTILINE)}


def _hits(pattern: re.Pattern, *folders: str) -> list[str]:
    found = []
    for path in _files(*folders):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_every_cited_section_exists():
    sections = {name: _sections(name) for name in ("domain", "architecture")}
    wrong = []
    for path in _files("riecycle", "tests", "seed"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name, cited in CITATION.findall(line):
                missing = {int(n) for n in re.findall(r"§(\d+)", cited)} - sections[name]
                if missing:
                    wrong.append(f"{path.relative_to(ROOT)}:{number}: docs/{name}.md §{sorted(missing)}")
    assert sections["domain"] >= set(range(1, 12)), "docs/domain.md keeps its sections 1-11"
    assert not wrong, "\n".join(wrong)


def test_nothing_cites_a_document_outside_the_repository():
    outside = re.compile("(DOMAIN|ARCHITECTURE)" + r"\.md")  # the notes a clone does not have
    assert not _hits(outside, "riecycle", "tests", "seed")


def test_no_comment_refers_to_an_issue_number():
    assert not _hits(ISSUE, "riecycle", "seed")


# A path-like code span: letters, digits, _ . - and /, naming a file or a folder (trailing /).
PATH = re.compile(r"`([\w.-]+(?:/[\w.-]+)*/?)`")
FILE_SUFFIXES = (".py", ".yaml", ".yml", ".html", ".txt", ".md", ".toml", ".cfg", ".ini")
RUNTIME = ("instance/",)  # made when the app runs, not part of a clone


def _cited_paths(text: str) -> set[str]:
    return {
        p for p in PATH.findall(text) if ("/" in p or p.endswith(FILE_SUFFIXES)) and not p.startswith(RUNTIME)
    }


def _exists(path: str) -> bool:
    """A path from the repository root or from riecycle/; a bare file name anywhere in the package.

    A folder cited with a trailing / may still be the one module it is being split from."""
    name = path.rstrip("/")
    candidates = [ROOT / name, ROOT / "riecycle" / name]
    if path.endswith("/"):
        candidates += [ROOT / f"{name}.py", ROOT / "riecycle" / f"{name}.py"]
    if any(c.exists() for c in candidates):
        return True
    return "/" not in name and any(any(ROOT.joinpath(top).rglob(name)) for top in ("riecycle", "seed"))


def test_every_path_in_the_architecture_page_exists():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    cited = _cited_paths(text)
    assert "riecycle/tenancy.py" in cited and "views/organisation.py" in cited  # the pattern finds paths
    missing = sorted(p for p in cited if not _exists(p))
    assert not missing, "docs/architecture.md cites paths that do not exist: " + ", ".join(missing)


def test_every_module_of_a_layer_is_in_the_area_table():
    """A newcomer finds every view, form and service module in the table of docs/architecture.md §13."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text[text.index("## 13. ") : text.index("## 14. ")]
    cited = _cited_paths(table)
    missing = []
    for layer in ("views", "forms", "services"):
        for path in sorted((ROOT / "riecycle" / layer).rglob("*.py")):
            rel = path.relative_to(ROOT / "riecycle").as_posix()
            package = path.parent.relative_to(ROOT / "riecycle").as_posix() + "/"
            if rel in cited or path.name == "__init__.py" and rel.count("/") == 1:
                continue
            if package in cited and f"`{path.name}`" in table:
                continue
            missing.append(rel)
    assert not missing, "not in the area table of docs/architecture.md §13: " + ", ".join(missing)
