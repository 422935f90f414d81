"""Print the package-level import graph of workbook_tools, read from the real imports (ast).

    python scripts/import_graph.py            # package graph: one line per package, what it imports
    python scripts/import_graph.py --with-lazy   # the same, imports inside functions counted too
    python scripts/import_graph.py --modules  # module-level edges between packages (who imports what)
    python scripts/import_graph.py --lazy     # imports inside functions (lazy), by module

A package is a folder under workbook_tools/ (faces/ and dist/ are split into their subfolders: faces.cli,
faces.excel, faces.service, dist.excel, dist.wps; the rest of dist/ is "dist"); `workbook_tools` is the
top-level __init__ (the version), `__main__` the entry point of `python -m workbook_tools`. Imports under
`if TYPE_CHECKING:` are left out: they are not edges at run time.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "workbook_tools"
TOP = "workbook_tools"
SPLIT = ("faces", "dist")


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported module (or package)
    line: int
    lazy: bool  # inside a function


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str:
    parts = module.split(".")[1:]
    if not parts or parts == ["__version__"]:
        return TOP
    if parts == ["__main__"]:
        return "__main__"     # `python -m workbook_tools`: the entry point, above every face
    if parts[0] in SPLIT:
        if len(parts) > 2 or (len(parts) == 2 and (ROOT / parts[0] / parts[1]).is_dir()):
            return f"{parts[0]}.{parts[1]}"
        return parts[0]
    if len(parts) == 1 and not (ROOT / parts[0]).is_dir():
        return TOP
    return parts[0]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if node.level:
        base = module.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    if node.module is None or prefix == TOP:
        # `from . import x` / `from workbook_tools import x`: each name is a submodule
        return [f"{prefix}.{alias.name}" for alias in node.names]
    return [prefix]


def edges_of(path: Path) -> list[Edge]:
    module = module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[Edge] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub, lazy)
                continue
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend(Edge(module, a.name, child.lineno, lazy) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                found.extend(Edge(module, t, child.lineno, lazy) for t in _resolve(module, is_package, child))
            visit(child, inner)

    visit(tree, False)
    return found


def all_edges() -> list[Edge]:
    return [edge for path in sorted(ROOT.rglob("*.py")) for edge in edges_of(path)]


def package_graph(edges: list[Edge], *, lazy: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        if edge.lazy and not lazy:
            continue
        source = package_of(edge.source)
        graph[source]
        if edge.target == TOP or edge.target.startswith(TOP + "."):
            target = package_of(edge.target)
            if target != source:
                graph[source].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def strong(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                strong(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            strong(node)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", action="store_true", help="list module-level edges between packages")
    parser.add_argument("--lazy", action="store_true", help="list imports inside functions")
    parser.add_argument("--with-lazy", action="store_true", help="count imports inside functions in the graph")
    args = parser.parse_args(argv)
    edges = all_edges()
    if args.lazy:
        for edge in edges:
            if edge.lazy:
                print(f"{edge.source}:{edge.line}  {edge.target}")
        print(f"# {sum(edge.lazy for edge in edges)} imports inside functions")
        return 0
    if args.modules:
        for edge in edges:
            if edge.lazy or not edge.target.startswith(TOP + "."):
                continue
            source, target = package_of(edge.source), package_of(edge.target)
            if source != target:
                print(f"{source:14} {edge.source} -> {edge.target}")
        return 0
    graph = package_graph(edges, lazy=args.with_lazy)
    width = max(map(len, graph))
    for package in sorted(graph):
        print(f"{package:{width}} -> {', '.join(sorted(graph[package])) or '-'}")
    loops = cycles(graph)
    print("cycles: " + ("; ".join(" <-> ".join(c) for c in loops) if loops else "none"))
    return 1 if loops else 0


if __name__ == "__main__":
    sys.exit(main())
