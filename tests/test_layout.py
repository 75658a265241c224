"""The project's shape: README's layout table names what `ls` shows; in plugins/ no two modules import each other
(directly or round a longer circle), and no module is longer than a reader takes in at one sitting.

A circle hidden inside a function still breaks: whichever module a command happens to import first decides whether
the other finds its names defined, so the graph counts every `import`, top-level and inside functions alike (only
`if TYPE_CHECKING:` imports, which never run, are left out). Importing `plugins.x.y` from outside the package
`plugins.x` first runs `plugins/x/__init__.py`, so that counts as an import of the package too; a package's own
modules are imported after it, so for them it does not, unless they import a name back through the package.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

PLUGINS = REPO / "plugins"
MAX_LINES = 400


def module_names(package_dir: Path) -> dict[str, Path]:
    """Every module under a package directory by dotted name; a package is named by its `__init__.py`."""
    root = package_dir.parent
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST):
    """Every import statement, at any depth, except those under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (n for child in node.orelse for n in _import_nodes(ast.Module([child], [])))
            continue
        yield from _import_nodes(node)


def _packages(name: str, is_package: bool) -> set[str]:
    """The packages already initialised while module `name` runs: its own ancestors (and itself, if a package)."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + (1 if is_package else 0))}


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of `modules` that module `name` imports (see the docstring for what counts)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets = set()
    for node in _import_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..y import z
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        for target in found:
            while target and target not in modules:  # `import plugins.x.y` of a name: the module that holds it
                target = target.rpartition(".")[0]
            if not target:
                continue
            targets.add(target)
            # importing a module of another package runs that package's __init__ first
            targets |= _packages(target, False) - _packages(name, is_package)
    targets.discard(name)
    return {t for t in targets if t in modules}


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    modules = module_names(package_dir)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle (first module repeated at the end) for each group of modules that reach one another."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_circle(graph, group) for group in groups]


def _circle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, staying inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt_frontier = []
        for node in frontier:
            for nxt in sorted(graph[node] & group):
                if nxt == start:
                    return paths[node] + [start]
                if nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    nxt_frontier.append(nxt)
        frontier = nxt_frontier
    raise AssertionError(f"no circle through {start} in {sorted(group)}")


def test_plugins_import_no_circles():
    found = cycles(import_graph(PLUGINS))
    assert not found, "modules under plugins/ import each other:\n" + "\n".join(" -> ".join(c) for c in found)


def test_plugins_modules_stay_short():
    long = {}
    for path in sorted(PLUGINS.rglob("*.py")):
        name = path.relative_to(REPO).as_posix()
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES:
            long[name] = lines
    assert not long, f"modules over {MAX_LINES} lines (split them by job): {long}"


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "pkg"
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    return package


def test_detector_finds_a_circle_hidden_in_a_function(tmp_path):
    package = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "def f():\n    from pkg import b\n    return b\n",
        "b.py": "import pkg.a\n",
        "c.py": "from pkg.a import f\n",  # imports into the circle, is not part of it
    })
    graph = import_graph(package)
    assert graph["pkg.a"] == {"pkg.b"} and graph["pkg.b"] == {"pkg.a"} and graph["pkg.c"] == {"pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.a"]]


@pytest.mark.parametrize("submodule, circle", [
    ("from pkg.sub.x import VALUE\n", False),  # the package's own modules, imported by name: no circle
    ("from pkg.sub import x\nfrom . import x as again\n", False),
    ("from pkg.sub import other\n", True),  # a name re-exported by __init__: back through the package
    ("import pkg.outside\n", True),  # pkg.outside imports pkg.sub.x, which runs pkg/sub/__init__ first
])
def test_detector_reads_a_package_init_like_python(tmp_path, submodule, circle):
    package = _package(tmp_path, {
        "__init__.py": "",
        "outside.py": "from pkg.sub.x import VALUE\n",
        "sub/__init__.py": "from pkg.sub.x import VALUE\nfrom pkg.sub.y import other\n",
        "sub/x.py": "VALUE = 1\n",
        "sub/y.py": submodule + "def other():\n    pass\n",
    })
    assert bool(cycles(import_graph(package))) == circle


def test_type_checking_imports_never_run(tmp_path):
    package = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import b\nelse:\n    import os\n",
        "b.py": "from pkg import a\n",
    })
    assert cycles(import_graph(package)) == []


def test_readme_layout_table_matches_ls():
    """Every tracked top-level entry (less dotfiles) and every package under plugins/ has a row in README's
    "Project layout" table, and every path the table names exists."""
    readme = (REPO / "README.md").read_text()
    table = readme.split("## Project layout", 1)[1].split("\n## ", 1)[0]
    named = {p.rstrip("/") for row in table.splitlines() if row.startswith("| `")
             for p in re.findall(r"`([^`]+)`", row.split("|")[1])}
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    top = {path.split("/")[0] for path in tracked if not path.startswith(".")}
    packages = {d.relative_to(REPO).as_posix() for d in PLUGINS.iterdir() if d.is_dir() and any(d.glob("*.py"))}
    assert top - named == set(), f"README's layout table misses {sorted(top - named)}"
    assert packages - named == set(), f"README's layout table misses {sorted(packages - named)}"
    assert {p for p in named if not (REPO / p).exists()} == set()
