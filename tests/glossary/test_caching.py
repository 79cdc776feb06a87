"""Caching has one home, glossary/caching.py, which says what every part depends on."""

import ast
import re
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from glossary import caching

ROOT = Path(__file__).resolve().parents[2]


def documented_parts() -> dict[str, tuple[str, str]]:
    """{name: (depends on, timeout)} from the table in caching's docstring."""
    rows = re.findall(r"^\| ([a-z-]+) \| [^|]+ \| ([a-z, ]+) \| [^|]+ \| ([^|]+) \|$", caching.__doc__, re.MULTILINE)
    return {name: (depends, timeout.strip()) for name, depends, timeout in rows if name != "part"}  # not the header


def test_every_cached_part_is_documented_with_what_it_depends_on_and_its_timeout():
    words = {caching.Depends.GLOSSARY: "glossary", caching.Depends.WORKFLOW: "workflow", caching.Depends.USER: "user"}
    timeouts = {caching.HOUR: "1 hour", caching.DAY: "1 day"}
    declared = {
        # A part that depends on no state carries in its key all it depends on.
        part.name: (", ".join(words[d] for d in part.depends_on) or "nothing", timeouts[part.timeout])
        for part in caching.PARTS
    }
    assert documented_parts() == declared


def test_the_accounts_app_imports_nothing_from_the_glossary():
    imports = []
    for path in (ROOT / "accounts").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imports.append((path.name, node.module))
            elif isinstance(node, ast.Import):
                imports += [(path.name, alias.name) for alias in node.names]
    assert [(name, module) for name, module in imports if module.split(".")[0] == "glossary"] == []


def state_reads(queries) -> int:
    return sum(1 for query in queries if query["sql"].startswith("SELECT COALESCE((SELECT MAX(history_id)"))


def test_a_page_showing_several_cached_parts_reads_the_glossarys_state_once(client, ivan, make_term):
    term = make_term("Alpha", it_text="First.")
    client.force_login(ivan)
    # The term page's ETag is made from the state too: still one read.
    for url in [reverse("glossary:term_list"), reverse("glossary:term_list") + "?q=alpha", term.get_absolute_url()]:
        for visit in ["first", "cached"]:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            assert state_reads(queries) == 1, (url, visit)


def test_a_part_switched_off_is_computed_on_every_request(client, ivan, make_term, settings):
    term = make_term("Alpha", it_text="First.")
    client.force_login(ivan)
    settings.CACHED_PARTS_OFF = ("term-page",)
    client.get(term.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        assert "First." in client.get(term.get_absolute_url()).content.decode()
    assert [q for q in queries if "glossary_definition" in q["sql"]], "rendered again"
    # Read once all the same, for the page's ETag alone.
    assert state_reads(queries) == 1
