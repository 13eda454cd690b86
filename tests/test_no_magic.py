"""Streamlit's magic is off (.streamlit/config.toml): it rewrote the syntax tree of app.py
and every page each time Streamlit compiled them again (after its last session closed),
for nothing, as long as no page writes a bare value on a line of its own (issue 26)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bare_values(path: Path) -> list[int]:
    """Lines with an expression magic would have written (a value or a name, not a call;
    docstrings aside)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for i, child in enumerate(body):
            if not isinstance(child, ast.Expr) or isinstance(child.value, ast.Call | ast.Await | ast.Yield):
                continue
            docstring = i == 0 and isinstance(child.value, ast.Constant) and isinstance(child.value.value, str)
            if not docstring:
                found.append(child.lineno)
    return found


def test_magic_is_off_and_no_page_writes_a_bare_value():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False
    scripts = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    assert len(scripts) > 5
    assert {p.name: lines for p in scripts if (lines := _bare_values(p))} == {}
