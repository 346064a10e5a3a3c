"""The Excel package may call the services, never the other way around."""

import ast
from pathlib import Path

import riecycle

PACKAGE = Path(riecycle.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_service_or_model_imports_the_excel_package():
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            m for m in _imported_modules(path) if m.startswith("riecycle.excel")
        )
        for folder in ("services", "models")
        for path in (PACKAGE / folder).rglob("*.py")
    }
    assert not {k: v for k, v in offenders.items() if v}
    assert not (PACKAGE / "services" / "imports.py").exists()  # the import's orchestration is excel/apply.py
