"""No test file imports another test file: what several test files share lives in a helper
module (tests/conftest.py, tests/helpers_*.py, tests/pg.py, tests/live_server.py,
tests/smtp.py, tests/browser/helpers.py …), so a test file can be moved, renamed or run alone
without taking another file's tests (and fixtures) along. Read from the source (``ast``),
wherever the import stands."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _module(path: Path) -> str:
    return ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)


def _is_test_module(name: str) -> bool:
    return name.split(".")[-1].startswith("test_")


def imported_test_modules(source: str, name: str) -> set[str]:
    """The test modules the module ``name`` (of ``source``) imports."""
    package = name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if _is_test_module(alias.name)}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if _is_test_module(base):
                found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names if _is_test_module(alias.name)}
    return found


def test_no_test_file_imports_another_test_file():
    offenders = {}
    for path in sorted(TESTS.rglob("*.py")):
        name = _module(path)
        found = imported_test_modules(path.read_text("utf-8"), name)
        if found:
            offenders[str(path.relative_to(TESTS.parent))] = sorted(found)
    assert offenders == {}, "move what these share into a helper module (tests/helpers_*.py)"


def test_the_check_finds_every_form_of_such_an_import():
    name = "tests.test_a"
    assert imported_test_modules("from tests.test_b import helper", name) == {"tests.test_b"}
    assert imported_test_modules("import tests.test_b as b", name) == {"tests.test_b"}
    assert imported_test_modules("from tests import test_b", name) == {"tests.test_b"}
    assert imported_test_modules("from .test_b import helper", name) == {"tests.test_b"}
    assert imported_test_modules("from .browser import test_c", name) == {"tests.browser.test_c"}
    assert imported_test_modules("def f():\n    from tests.browser.test_c import x\n", name) == {"tests.browser.test_c"}
    assert imported_test_modules("from tests.helpers_mail import letter\nimport tests.pg", name) == set()
