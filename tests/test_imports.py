"""The import graph of the project: no cycles, and the layers import only downwards.

``geo/`` is pure spatial logic (never streamlit or folium), ``layers/`` turns data into Folium
layers (never streamlit), ``ui/`` holds the pages. Every ``geo/`` and ``layers/`` module also
imports in a fresh interpreter, which is what a missing dependency breaks first.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "layers", "ui")


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules and third-party top-level names that ``name`` imports at run time.

    Imports inside functions count (a lazy import is still a dependency); imports under
    ``if TYPE_CHECKING:`` do not.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            subs = {f"{mod}.{alias.name}" for alias in node.names} & known
            found.update(subs)
            # ``from pkg import submodule`` depends on the submodule, not on pkg's __init__
            if len(subs) < len(node.names):
                found.add(mod)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _graph() -> tuple[nx.DiGraph, dict[str, set[str]]]:
    modules = _modules()
    known = set(modules)
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    external: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = _imports(name, path, known)
        external[name] = {d.split(".")[0] for d in deps if d.split(".")[0] not in PACKAGES}
        for dep in deps:
            if dep in known and dep != name:
                graph.add_edge(name, dep)
    return graph, external


def test_the_graph_sees_the_modules_and_their_imports():
    graph, external = _graph()
    assert {"geo.coverage", "geo.filters", "geo.exports", "geo.labels", "ui.cache"} <= set(graph)
    assert graph.has_edge("geo.coverage", "geo.filters")
    assert graph.has_edge("ui.coverage", "geo.exports")
    assert "streamlit" in external["ui.cache"]
    assert "folium" in external["layers.beats"]


def test_no_import_cycle():
    graph, _ = _graph()
    cycles = {frozenset(c) for c in nx.simple_cycles(graph) if len(c) > 1}
    assert not cycles, f"import cycles: {[' -> '.join(sorted(c)) for c in cycles]}"


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("geo", {"streamlit", "folium", "streamlit_folium", "layers", "ui"}),
        ("layers", {"streamlit", "streamlit_folium", "ui"}),
    ],
)
def test_layers_import_only_downwards(package, forbidden):
    graph, external = _graph()
    bad = []
    for name in graph:
        if name.split(".")[0] != package:
            continue
        deps = external[name] | {d.split(".")[0] for d in graph.successors(name)}
        bad += [f"{name} imports {d}" for d in sorted(deps & forbidden)]
    assert not bad, bad


def test_geo_and_layers_modules_import_in_a_fresh_interpreter():
    names = [n for n in _modules() if n.split(".")[0] in ("geo", "layers")]
    names = [n for n in names if ".migrations." not in n]
    code = (
        "import importlib, sys\n"
        "bad = []\n"
        f"for name in {names!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        bad.append(f'{name}: {type(exc).__name__}: {exc}')\n"
        "print('\\n'.join(bad))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
