"""No import cycle in bot/ and storage/, not even one hidden by an import inside a function.

The graph is read from the source (AST), not from a running interpreter: every `import` and `from ... import`
counts wherever it stands (module level, function body, try/except), except under `if TYPE_CHECKING:`, which
never runs. Importing `a.b.c` runs the packages `a` and `a.b` first, so those are edges too."""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "storage")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(node: ast.AST):
    """Every Import/ImportFrom under `node`, skipping the bodies of `if TYPE_CHECKING:`."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _type_checking(child.test):
            for other in child.orelse:
                yield from _imports_in(other)
            continue
        yield from _imports_in(child)


def _imports_in(node: ast.AST):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    else:
        yield from _imports(node)


def _packages_of(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def imported_by(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules `name` imports: each one named, and the packages above it (run first by Python), except the
    module's own packages, which Python has run before the module whatever it imports."""
    is_package = path.name == "__init__.py"
    named: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:  # relative: from the module's own package upwards
            package = name.split(".") if is_package else name.split(".")[:-1]
            package = package[:len(package) - node.level + 1]
            base = ".".join(package + ([base] if base else []))
        submodules = {f"{base}.{alias.name}" for alias in node.names} & known
        named.update(submodules)
        if len(submodules) < len(node.names):  # names defined in `base` itself
            named.add(base)
    own = set(_packages_of(name)) | ({name} if is_package else set())
    found = named | {package for target in named for package in _packages_of(target) if package not in own}
    return {target for target in found if target in known and target != name}


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imported_by(name, path, known) for name, path in found.items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components (iterative), those of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def a_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """The shortest way round from the component's first module back to itself."""
    members = set(component)
    start = component[0]
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node] & members):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return list(reversed(path)) + [start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    raise AssertionError("a strongly connected component without a cycle")


def test_the_graph_sees_imports_inside_functions_and_skips_type_checking_blocks(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("from typing import TYPE_CHECKING\nimport bot.texts\nif TYPE_CHECKING:\n"
                      "    from bot.settings import Settings\nelse:\n    from bot import errors\n"
                      "def f():\n    from bot.reminders import store\n    import storage.db\n", encoding="utf-8")
    known = {"bot", "bot.texts", "bot.settings", "bot.errors", "bot.reminders", "bot.reminders.store", "storage",
             "storage.db", "bot.sample"}
    # `bot`, the sample's own package, is run before the sample whatever it imports
    assert imported_by("bot.sample", source, known) == {"bot.texts", "bot.errors", "bot.reminders",
                                                         "bot.reminders.store", "storage", "storage.db"}


def test_the_cycle_finder_finds_a_cycle_closed_inside_a_function():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    components = strongly_connected(graph)
    assert components == [["a", "b", "c"]]
    assert a_cycle(graph, components[0]) == ["a", "b", "c", "a"]


def test_bot_and_storage_import_without_a_cycle():
    graph = import_graph()
    assert "bot.reminders.replan" in graph and "storage.models" in graph
    cycles = [" -> ".join(a_cycle(graph, component)) + f"  ({len(component)} modules tangled: "
              + ", ".join(component) + ")" for component in strongly_connected(graph)]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
