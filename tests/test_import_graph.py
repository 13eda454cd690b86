"""The code's import graph keeps its layers, from the bottom: the kernel (the consultations
package's top-level modules and consultations/store), the five wings in ``WINGS`` order, the
application's top (``APP``: the command line, the demo data, the plain HTTP routes), then
consultations/ui, then the pages (and app.py, serve.py). A module may import its own layer
and the ones below, never one above; the core never imports Streamlit; and no two modules
import each other, directly or round a circle. docs/architecture.md draws the map.

The graph is read from the source (``ast``), not by importing: every ``import``/``from …
import`` of a module of our own, wherever it stands (a function-level import is still a
dependency), except under ``if TYPE_CHECKING:``."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers_layers import WINGS  # the wings of the consultations package, lowest first

ROOT = Path(__file__).resolve().parent.parent
STREAMLIT = {"streamlit", "streamlit_folium"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources() -> dict[str, Path]:
    """Every module of the app: the consultations package, the pages, app.py, serve.py."""
    found = {_module_name(p): p for p in (ROOT / "consultations").rglob("*.py")}
    found.update({f"pages.{p.stem}": p for p in (ROOT / "pages").glob("*.py")})
    for top in ("app.py", "serve.py"):
        found[top.removesuffix(".py")] = ROOT / top
    return found


def _under_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports(name: str, path: Path, modules: set[str]) -> tuple[set[str], set[str]]:
    """What ``name`` imports: (modules of our own, other top-level packages)."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    ours: set[str] = set()
    others: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or _under_type_checking(node, parents):
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import sub` depends on pkg.sub when that is a module, else on pkg
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        for target in targets:
            if target in modules:
                ours.add(target)
            elif target.partition(".")[0] in modules or target.startswith(("consultations.", "pages.")):
                ours.add(next(m for m in sorted(modules, key=len, reverse=True) if target.startswith(m + ".")))
            else:
                others.add(target.partition(".")[0])
    ours.discard(name)
    return ours, others


def graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    found = sources()
    modules = set(found)
    edges, external = {}, {}
    for name, path in found.items():
        edges[name], external[name] = imports(name, path, modules)
    return edges, external


# The application's top: modules that put the wings together.
APP = {"consultations.__main__", "consultations.cli", "consultations.demo", "consultations.web"}
# Imports allowed to run up: none (the analysis frame's contract, once the one such tie, now
# lives in the store package: store/frame.py).
KNOWN_UPWARD: set[str] = set()


def layer(module: str) -> int:
    """0 the kernel, 1–5 the wings, 6 the application's top, 7 consultations/ui, 8 the pages
    and the entry points."""
    parts = module.split(".")
    if parts[0] != "consultations":
        return len(WINGS) + 3
    if len(parts) > 1 and parts[1] == "ui":
        return len(WINGS) + 2
    if module in APP:
        return len(WINGS) + 1
    if len(parts) > 1 and parts[1] in WINGS:
        return 1 + WINGS.index(parts[1])
    return 0


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read_from_the_whole_code():
    edges, _ = graph()
    assert {"app", "serve", "pages.home", "consultations.store", "consultations.geo", "consultations.ui"} <= set(edges)
    assert "consultations.store" in edges["consultations.planning.lifecycle"] or any(
        m.startswith("consultations.store") for m in edges["consultations.planning.lifecycle"]
    )
    assert sum(len(targets) for targets in edges.values()) > 200  # a reader that found nothing would pass the rest


def test_no_module_imports_one_that_imports_it_back():
    assert cycles(graph()[0]) == []


def test_no_import_runs_back_up_the_layers():
    edges, _ = graph()
    upward = sorted(f"{a} -> {b}" for a, targets in edges.items() for b in targets if layer(b) > layer(a))
    assert sorted(set(upward) - KNOWN_UPWARD) == []


def test_the_layers_are_in_order():
    assert (
        layer("consultations.model") == layer("consultations.store.core") == 0 < layer("consultations.casework.review")
    )
    assert layer("consultations.casework.review") < layer("consultations.planning.lifecycle")
    assert layer("consultations.planning.lifecycle") < layer("consultations.participation.public")
    assert layer("consultations.participation.public") < layer("consultations.children.classes")
    assert layer("consultations.children.classes") < layer("consultations.outputs.export")
    assert layer("consultations.outputs.export") < layer("consultations.cli") < layer("consultations.ui.maps")
    assert layer("consultations.ui.maps") < layer("pages.home") == layer("serve")


def test_the_core_never_imports_streamlit():
    _, external = graph()
    core = [m for m in external if m.startswith("consultations") and layer(m) < layer("consultations.ui")]
    assert sorted(m for m in core if external[m] & STREAMLIT) == []


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
