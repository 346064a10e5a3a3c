"""Every marked string has an English translation, so no feature ships half Dutch.

The source is extracted in-process exactly as `make extract` does (babel.cfg's mapping and the
Makefile's BABEL_KEYWORDS) and compared with the English .po. When a test here fails, run
`make translations-update`, translate the empty msgstr entries and run `make translations`.
"""

import ast
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.util import pathmatch

from tests.support.files import EN_PO

ROOT = Path(__file__).resolve().parent.parent
# %(name)s / %s / %% placeholders, {name} fields, and HTML tags must survive translation.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0+-]*\d*(?:\.\d+)?[a-zA-Z%]|\{[^{}]*\}")
TAG = re.compile(r"<[^>]+>")
GETTEXT_FUNCTIONS = {
    "gettext",
    "ngettext",
    "pgettext",
    "npgettext",
    "lazy_gettext",
    "lazy_ngettext",
    "lazy_pgettext",
    "lazy_npgettext",
}


def makefile_keywords() -> dict:
    match = re.search(r"^BABEL_KEYWORDS\s*:=(.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert match, "the Makefile defines BABEL_KEYWORDS"
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(re.findall(r"-k\s*(\S+)", match.group(1))))
    return keywords


@pytest.fixture(scope="module")
def mapping():
    with open(ROOT / "babel.cfg") as handle:
        return parse_mapping_cfg(handle)


@pytest.fixture(scope="module")
def extracted(mapping) -> dict:
    """(context, msgid) -> (message as extracted, first location)."""
    method_map, options_map = mapping
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=makefile_keywords()
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault((context, msgid), (message, f"{filename}:{lineno}"))
    return found


@pytest.fixture(scope="module")
def python_trees() -> dict:
    return {path: ast.parse(path.read_text()) for path in (ROOT / "riecycle").rglob("*.py")}


@pytest.fixture(scope="module")
def catalog():
    with open(EN_PO, "rb") as handle:
        return read_po(handle, locale="en")


def _strings(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def test_extraction_finds_the_interface(extracted):
    assert len(extracted) > 1500
    assert (None, "Plan van Aanpak") in extracted
    assert any(isinstance(message, tuple) for message, _where in extracted.values())  # ngettext


def test_every_msgid_has_an_english_translation(extracted, catalog):
    problems = []
    for (context, msgid), (message, where) in sorted(extracted.items(), key=lambda kv: kv[1][1]):
        entry = catalog.get(msgid, context=context)
        if entry is None:
            problems.append(f"{where}: not in the .po: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"{where}: fuzzy: {msgid!r}")
        elif not all(_strings(entry.string)):
            problems.append(f"{where}: no English: {msgid!r}")
        elif isinstance(message, tuple) != isinstance(entry.id, tuple):
            problems.append(f"{where}: plural forms differ from the source (update the .po): {msgid!r}")
    assert not problems, (
        f"{len(problems)} strings lack an English translation; run `make translations-update`, "
        "translate them in riecycle/translations/en/LC_MESSAGES/messages.po, then `make translations`:\n"
        + "\n".join(problems[:50])
    )


def test_placeholders_and_markup_match(extracted, catalog):
    problems = []
    for context, msgid in extracted:
        entry = catalog.get(msgid, context=context)
        if entry is None:
            continue
        sources = _strings(entry.id)
        for index, translation in enumerate(_strings(entry.string)):
            source = sources[min(index, len(sources) - 1)]
            for pattern in (PLACEHOLDER, TAG):
                if translation and Counter(pattern.findall(source)) != Counter(pattern.findall(translation)):
                    problems.append(f"{source!r} -> {translation!r}")
    assert not problems, "placeholders or HTML differ between msgid and msgstr:\n" + "\n".join(problems)


def test_catalogue_header(catalog):
    assert not catalog.fuzzy, "a fuzzy header makes pybabel compile skip the whole catalogue"
    assert catalog.project == "riecycle"
    assert catalog.num_plurals == 2
    assert not [m.id for m in catalog if m.id and m.fuzzy]


def test_mapping_covers_every_file_with_marked_strings(mapping):
    """A template or module outside babel.cfg's patterns would never be extracted."""
    method_map, _options = mapping
    call = re.compile(r"\b(?:_l?|n?p?gettext|lazy_n?p?gettext)\(")
    skipped = []
    for path in (ROOT / "riecycle").rglob("*"):
        relative = path.relative_to(ROOT).as_posix()
        if (
            not path.is_file()
            or "/static/" in relative
            or "/translations/" in relative
            or path.suffix == ".pyc"
        ):
            continue
        in_templates = relative.startswith("riecycle/templates/")
        if not in_templates and not call.search(path.read_text(errors="ignore")):
            continue
        if not any(pathmatch(pattern, relative) for pattern, _method in method_map):
            skipped.append(relative)
    assert not skipped, f"add these to babel.cfg: {skipped}"


def test_every_python_gettext_call_is_extracted(extracted, python_trees):
    """Babel's Python extractor does not look inside f-strings (before Python 3.12), so
    f"{_('tekst')}" would silently stay Dutch: compute the string before the f-string."""
    arg_of = {
        "_": 0,
        "_l": 0,
        "gettext": 0,
        "ngettext": 0,
        "lazy_gettext": 0,
        "lazy_ngettext": 0,
        "pgettext": 1,
        "lazy_pgettext": 1,
        "npgettext": 1,
        "lazy_npgettext": 1,
    }
    missed = []
    for path, tree in python_trees.items():
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in arg_of
            ):
                continue
            index = arg_of[node.func.id]
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args[: index + 1]]
            if len(args) == index + 1 and isinstance(args[index], str):
                key = (args[0] if index else None, args[index])
                if key not in extracted:
                    missed.append(f"{path.relative_to(ROOT)}:{node.lineno}: {args[index]!r}")
    assert not missed, f"gettext calls the extractor does not see: {missed}"


def test_every_imported_gettext_function_is_a_keyword(python_trees):
    """`from flask_babel import lazy_ngettext as _ln` needs `-k _ln:1,2` in BABEL_KEYWORDS."""
    keywords = makefile_keywords()
    missing = []
    for path, tree in python_trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                for alias in node.names:
                    if alias.name in GETTEXT_FUNCTIONS and (alias.asname or alias.name) not in keywords:
                        missing.append(f"{path.relative_to(ROOT)}: {alias.asname or alias.name}")
    assert not missing, f"add to BABEL_KEYWORDS in the Makefile: {missing}"
