"""The project's own modules import one another without a cycle, and the layers point one way.

The graph is read from the source (ast), every import counted wherever it is written: an import
inside a function is how a cycle hides, so it counts like one at the top of the file.
"""

import ast
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "common", "config", "glossary", "webhooks")

# The workflow's services raise events (glossary.events); sending mail, recording or mailing
# watch notices and calling webhooks is for the subscribers.
SENDERS = ("glossary.mail", "glossary.services.watching")
# Watching is itself a sender; the tick is the clock's list of jobs, watching's sends among them.
SENDERS_THEMSELVES = ("glossary.services.watching", "glossary.services.tick")


def modules(root: Path, packages=PACKAGES) -> dict[str, Path]:
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def import_graph(root: Path = BASE_DIR, packages=PACKAGES) -> dict[str, set[str]]:
    """Each module and the project's modules it imports (the most specific module each import names)."""
    found = modules(root, packages)

    def known(name: str) -> str | None:
        while name and name not in found:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in found.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                imported |= {known(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the module's package, one level up per extra dot
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                # `from glossary import events` imports the module glossary.events.
                named = [f"{base}.{alias.name}" for alias in node.names]
                imported |= {module if module in found else known(base) for module in named}
        graph[name] = imported - {None, name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a path back to its start) through each group of modules that import one another."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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
    return [_path_round(group, graph) for group in groups]


def _path_round(group: set[str], graph: dict[str, set[str]]) -> list[str]:
    start = min(group)
    paths, seen = [[start]], {start}
    while paths:  # breadth first: the shortest way back to the start
        path = paths.pop(0)
        for target in sorted(graph[path[-1]] & group):
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                paths.append([*path, target])
    raise AssertionError(f"no way back to {start} in {sorted(group)}")


def imports_of(graph, prefix: str) -> dict[str, set[str]]:
    return {name: targets for name, targets in graph.items() if name == prefix or name.startswith(prefix + ".")}


def within(name: str, prefixes) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


# --- the rules --------------------------------------------------------------------------------------


def test_no_module_of_the_project_imports_itself_round_a_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" → ".join(cycle) for cycle in found)


def test_the_workflows_services_import_no_webhook_and_no_mail_or_watching_sender():
    graph = import_graph()
    wrong = {
        name: sorted(
            target
            for target in targets
            if within(target, ("webhooks",)) or (within(target, SENDERS) and name not in SENDERS_THEMSELVES)
        )
        for name, targets in imports_of(graph, "glossary.services").items()
    }
    assert not {name: targets for name, targets in wrong.items() if targets}


def test_the_glossary_imports_nothing_from_webhooks():
    """Webhooks depend on the glossary and hear its events; the glossary does not know they exist."""
    graph = import_graph()
    wrong = {
        name: sorted(t for t in targets if within(t, ("webhooks",)))
        for name, targets in imports_of(graph, "glossary").items()
    }
    assert not {name: targets for name, targets in wrong.items() if targets}


def test_the_dashboard_imports_nothing_from_interchange():
    """The PDF's "State of our common language" page reads the dashboard; the dashboard does not
    read the interchange back (its CSV files share only glossary.spreadsheets and common.downloads)."""
    graph = import_graph()
    wrong = {
        name: sorted(t for t in targets if within(t, ("glossary.interchange",)))
        for name, targets in imports_of(graph, "glossary.dashboard").items()
    }
    assert not {name: targets for name, targets in wrong.items() if targets}


def test_no_app_imports_from_config_which_is_wiring_only():
    """Settings, URLs and WSGI import the apps; the apps' shared helpers live in common."""
    graph = import_graph()
    wrong = {
        name: sorted(t for t in targets if within(t, ("config",)))
        for name, targets in graph.items()
        if not within(name, ("config",))
    }
    assert not {name: targets for name, targets in wrong.items() if targets}


def test_common_imports_no_app_of_the_project():
    graph = import_graph()
    apps = [package for package in PACKAGES if package != "common"]
    wrong = {
        name: sorted(t for t in targets if within(t, apps)) for name, targets in imports_of(graph, "common").items()
    }
    assert not {name: targets for name, targets in wrong.items() if targets}


# --- the graph sees what it must -------------------------------------------------------------------


def test_an_import_inside_a_function_is_part_of_the_graph():
    # GlossaryConfig.ready() imports the mail tasks inside the method.
    assert "glossary.mail.tasks" in import_graph()["glossary.apps"]


def test_a_cycle_held_apart_by_imports_inside_functions_is_found_and_named(tmp_path):
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "orders.py").write_text("def place():\n    from shop.stock import reserve\n    reserve()\n")
    (package / "stock.py").write_text("from . import mail\n")
    (package / "mail.py").write_text("def send():\n    from .orders import place\n")
    (package / "prices.py").write_text("from shop import stock\n")

    assert cycles(import_graph(tmp_path, ["shop"])) == [["shop.mail", "shop.orders", "shop.stock", "shop.mail"]]
