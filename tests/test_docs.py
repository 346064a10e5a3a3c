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
