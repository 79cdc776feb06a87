"""Hostile JSON through the real import page: a message for the row (or the file), never a 500,
and nothing written.

JSON can break a reader in ways CSV cannot: nesting deep enough to exhaust the stack, numbers too
long for Python's int, values of the wrong shape, and \\u escapes that are not text (NUL, half a
surrogate pair) which PostgreSQL refuses to store.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from glossary.models import Proposal
from tests.workflow_helpers import snapshot

DEEP = 10_000
HUGE = "9" * 5_000
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def good(name: str) -> str:
    return json.dumps({"name": name, "definitions": {"it": f"{name} for IT."}})


def document(*records: str, **extra: str) -> str:
    """A glossary JSON text from record texts, so a record may hold what json.dumps cannot write."""
    members = [f'"terms": [{", ".join(records)}]'] + [f"{json.dumps(key)}: {value}" for key, value in extra.items()]
    return "{" + ", ".join(members) + "}"


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def upload(client, text: str, *, dry_run: bool = False):
    data = {
        "file": SimpleUploadedFile(
            "glossary.json", text.encode("utf-8", "surrogatepass"), content_type="application/json"
        )
    }
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("glossary:glossary_import"), data)


def refused(client, text: str):
    """Upload `text`, expect a refusal that writes nothing; return the report."""
    before = snapshot()
    response = upload(client, text)
    assert response.status_code == 400
    assert "cannot be imported" in response.content.decode()
    assert snapshot() == before
    return response.context["report"]


def row_errors(report) -> dict[int, str]:
    return {row.number: "; ".join(row.errors) for row in report.row_errors}


def test_deep_nesting_inside_a_term_is_reported_for_its_row(admin_client_with_a_term):
    text = document(
        good("Latency"), good("Load time"), '{"name": "Cache", "definitions": {"it": ' + nested(DEEP) + "}}"
    )
    report = refused(admin_client_with_a_term, text)
    assert row_errors(report) == {3: "nests lists or objects more than 64 levels deep"}
    assert not report.file_errors


def test_deep_nesting_of_objects_inside_a_term_is_reported_for_its_row(admin_client_with_a_term):
    text = document(good("Latency"), '{"name": "Cache", "x": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}")
    assert row_errors(refused(admin_client_with_a_term, text)) == {2: "nests lists or objects more than 64 levels deep"}


def test_deep_nesting_outside_the_terms_is_a_file_error(admin_client_with_a_term):
    # The brackets inside the name are text, not nesting.
    report = refused(admin_client_with_a_term, document(good("[[[[ Latency"), junk=nested(DEEP)))
    assert report.file_errors == [
        "The file nests lists or objects more than 64 levels deep outside any term, so it cannot be read."
    ]


def test_deep_nesting_right_inside_the_terms_list_is_reported_for_the_first_row(admin_client_with_a_term):
    report = refused(admin_client_with_a_term, '{"terms": ' + nested(DEEP) + "}")
    assert row_errors(report) == {1: "nests lists or objects more than 64 levels deep"}
    assert not report.file_errors


def test_deep_nesting_in_the_command_is_a_row_error(tmp_path, admin_user, make_term):
    path = tmp_path / "deep.json"
    path.write_text(document(good("Latency"), good("Load time"), '{"name": "Cache", "tags": ' + nested(DEEP) + "}"))
    with pytest.raises(CommandError, match=r"1 row: nests lists or objects more than 64 levels deep \(row 3\)"):
        call_command("import_glossary", str(path), "--user", admin_user.username)
    assert not Proposal.objects.exists()


def test_a_huge_number_as_a_field_is_reported_for_its_row(admin_client_with_a_term):
    report = refused(
        admin_client_with_a_term, document(good("Latency"), '{"name": ' + HUGE + ', "definitions": {"it": "x"}}')
    )
    assert row_errors(report) == {2: "name must be text, not a number of 5,000 characters (at most 100)"}


def test_a_huge_number_as_a_definition_or_list_item_is_reported_for_its_row(admin_client_with_a_term):
    text = document(
        '{"name": "Latency", "definitions": {"it": ' + HUGE + "}}", '{"name": "Cache", "tags": [' + HUGE + "]}"
    )
    errors = row_errors(refused(admin_client_with_a_term, text))
    assert errors[1] == "the it definition must be text, not a number of 5,000 characters (at most 100)"
    assert "not a list holding a number of 5,000 characters" in errors[2]


def test_a_huge_number_in_a_field_the_import_ignores_is_still_reported(admin_client_with_a_term):
    text = document('{"name": "Latency", "definitions": {"it": "x"}, "history": [{"version": ' + HUGE + "}]}")
    assert row_errors(refused(admin_client_with_a_term, text)) == {
        1: "holds a number of 5,000 characters (at most 100)"
    }


def test_a_huge_number_outside_the_terms_is_a_file_error(admin_client_with_a_term):
    report = refused(admin_client_with_a_term, document(good("Latency"), version=HUGE))
    assert report.file_errors == ["The file holds a number of 5,000 characters (at most 100), outside any term."]


@pytest.mark.parametrize("value", ["1e999", "-1e999", "NaN", "Infinity", "-Infinity"])
def test_numbers_that_are_no_numbers_are_reported_for_their_row(admin_client_with_a_term, value):
    report = refused(admin_client_with_a_term, document('{"name": ' + value + ', "definitions": {"it": "x"}}'))
    assert row_errors(report)[1].startswith("name must be text, not ")


TEXT_FIELDS = ["name", "abbreviation", "common_ground", "examples", "status"]
LIST_FIELDS = ["synonyms", "tags", "related_terms"]
WRONG = {"a list": '["a", "b"]', "an object": '{"a": "b"}', "true or false": "true"}


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("kind", list(WRONG))
def test_a_text_field_of_the_wrong_type_is_a_row_error(admin_client_with_a_term, field, kind):
    record = {"name": "Latency", "definitions": {"it": "x"}}
    record.pop(field, None)
    text = document(good("Cache"), json.dumps(record)[:-1] + f', "{field}": {WRONG[kind]}' + "}")
    assert row_errors(refused(admin_client_with_a_term, text)) == {2: f"{field} must be text, not {kind}"}


@pytest.mark.parametrize("field", LIST_FIELDS)
@pytest.mark.parametrize(
    "value, kind",
    [
        ('{"a": "b"}', "not an object"),
        ("false", "not true or false"),
        ('["a", ["b"]]', "not a list holding a list"),
        ('["a", null]', "not a list holding null"),
        ('[{"a": 1}]', "not a list holding an object"),
    ],
)
def test_a_list_field_of_the_wrong_type_is_a_row_error(admin_client_with_a_term, field, value, kind):
    text = document('{"name": "Latency", "definitions": {"it": "x"}, ' + f'"{field}": {value}' + "}")
    assert row_errors(refused(admin_client_with_a_term, text)) == {
        1: f"{field} must be a list of texts or one text separated by “; ”, {kind}"
    }


@pytest.mark.parametrize(
    "value, message",
    [
        ('["x"]', "definitions must map department slugs to text, not a list"),
        ('"x"', "definitions must map department slugs to text, not a single text"),
        ("12", "definitions must map department slugs to text, not a number"),
        ('{"it": ["x"]}', "the it definition must be text, not a list"),
        ('{"it": {"text": "x"}}', "the it definition must be text, not an object"),
    ],
)
def test_definitions_of_the_wrong_type_are_a_row_error(admin_client_with_a_term, value, message):
    assert row_errors(
        refused(admin_client_with_a_term, document('{"name": "Latency", "definitions": ' + value + "}"))
    ) == {1: message}


@pytest.mark.parametrize(
    "escape, message",
    [
        ("\\u0000", "a NUL character"),
        ("\\ud800", "half of a \\u surrogate pair"),
        ("\\udfff", "half of a \\u surrogate pair"),
    ],
)
@pytest.mark.parametrize("where", ["name", "definition", "tag", "slug"])
def test_escapes_that_are_not_text_are_a_row_error(admin_client_with_a_term, escape, message, where):
    record = {
        "name": f'{{"name": "La{escape}tency", "definitions": {{"it": "x"}}}}',
        "definition": f'{{"name": "Latency", "definitions": {{"it": "x{escape}"}}}}',
        "tag": f'{{"name": "Latency", "definitions": {{"it": "x"}}, "tags": ["ok", "b{escape}"]}}',
        "slug": f'{{"name": "Latency", "definitions": {{"i{escape}t": "x"}}}}',
    }[where]
    assert message in row_errors(refused(admin_client_with_a_term, document(record)))[1]


def test_numbers_and_texts_are_still_read_as_text(admin_client_with_a_term):
    text = document('{"name": 2024, "definitions": {"it": 7}, "tags": [1, "Q3"], "synonyms": "twenty-four; 2k24"}')
    response = upload(admin_client_with_a_term, text)
    assert response.status_code == 200, response.context["report"].row_errors
    proposal = Proposal.objects.get()
    assert proposal.name == "2024"
    assert proposal.tag_names.splitlines() == ["1", "Q3"]
    assert proposal.synonyms.splitlines() == ["twenty-four", "2k24"]


# --- A generated battery: JSON documents made of nested, huge and odd values. ---------------------


def _obj(pairs) -> str:
    return "{" + ", ".join(f"{json.dumps(key)}: {value}" for key, value in pairs) + "}"


FIELDS = TEXT_FIELDS + LIST_FIELDS + ["definitions", "history", "slug"]
ODD_SCALARS = st.one_of(
    st.sampled_from(
        [
            "null",
            "true",
            "false",
            "NaN",
            "-Infinity",
            "0",
            "-1",
            "1e999",
            "1.5e-400",
            '""',
            '"; ;"',
            '"\\u0000"',
            '"\\ud800"',
            '"a\\udfffb"',
            '"\\u202eevil"',
            '"x"',
            '"approved"',
            '"it"',
        ]
    ),
    st.integers().map(str),
    st.sampled_from([99, 100, 101, 4_300, 4_301, 5_000, 20_000]).map(lambda n: "9" * n),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=50).map(lambda s: json.dumps(s)),
)
DEEP_VALUES = st.sampled_from([1, 63, 64, 65, 900, 1_000, 5_000, DEEP]).map(nested)
JSON_VALUES = st.recursive(
    st.one_of(ODD_SCALARS, DEEP_VALUES),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(FIELDS + ["it", "marketing", "x"]), inner), max_size=4).map(_obj),
    ),
    max_leaves=12,
)
# Mostly records that pass every other check, so that an odd value reaches the database.
NOT_TEXT = st.sampled_from(['"\\u0000"', '"La\\u0000tency"', '"\\ud800"', '"La\\udfff"'])
TEXTS = st.one_of(st.text(min_size=1, max_size=30).map(json.dumps), NOT_TEXT, ODD_SCALARS)
DEFINITIONS = st.one_of(
    st.tuples(st.sampled_from(["it", "marketing"]), TEXTS).map(lambda pair: _obj([pair])),
    st.lists(st.tuples(st.sampled_from(["it", "marketing", "legal"]), JSON_VALUES), max_size=3).map(_obj),
)
RECORDS = st.one_of(
    st.tuples(
        st.one_of(TEXTS, JSON_VALUES),
        DEFINITIONS,
        st.lists(st.tuples(st.sampled_from(FIELDS), st.one_of(TEXTS, JSON_VALUES)), max_size=3),
    ).map(lambda parts: _obj([("name", parts[0]), ("definitions", parts[1]), *parts[2]])),
    JSON_VALUES,
)
DOCUMENTS = st.one_of(
    st.tuples(
        st.lists(RECORDS, min_size=1, max_size=3),
        st.lists(st.tuples(st.sampled_from(["version", "format", "x"]), JSON_VALUES), max_size=2),
    ).map(lambda parts: document(*parts[0], **dict(parts[1]))),
    JSON_VALUES,
)


@pytest.mark.slow
@SETTINGS
@given(text=DOCUMENTS, dry_run=st.booleans())
@example(
    text=document(good("Latency"), '{"name": "Cache", "definitions": {"it": ' + nested(DEEP) + "}}"), dry_run=False
)
@example(text=document(good("Latency"), junk=nested(DEEP)), dry_run=False)
@example(text=document('{"name": ' + HUGE + ', "definitions": {"it": "x"}}'), dry_run=False)
@example(text=document(good("Latency"), version=HUGE), dry_run=False)
@example(text=document('{"name": "Latency", "definitions": {"it": "x"}, "tags": [[["a"]]]}'), dry_run=False)
@example(text=document('{"name": "La\\u0000tency", "definitions": {"it": "x"}}'), dry_run=False)
@example(text=document(good("Latency")), dry_run=False)
def test_any_json_document_gets_an_answer_and_a_refusal_writes_nothing(admin_client_with_a_term, text, dry_run):
    before = snapshot()
    response = upload(admin_client_with_a_term, text, dry_run=dry_run)
    assert response.status_code in (200, 400)
    page = response.content.decode()
    report = response.context["report"]
    if response.status_code == 400:
        assert report.file_errors or report.row_errors
        assert "cannot be imported" in page
        assert snapshot() == before
    else:
        assert report.summary in page
        after = snapshot()
        assert after[:2] == before[:2], "an import only proposes"
        expected = 0 if dry_run else len(report.changes_to_make)
        assert after[2] == before[2] + expected
