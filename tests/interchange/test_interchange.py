import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary.entries import Entry
from glossary.interchange.imports import glossary_import
from glossary.models import Proposal, Term
from tests.workflow_helpers import approve, snapshot


def csv_rows(body: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body)))


def test_csv_export_has_one_row_per_term_and_one_column_per_department(reader_client, glossary_to_export):
    response = reader_client.get(reverse("glossary:glossary_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response.content.decode())
    assert [r["name"] for r in rows] == ["API", "Omnichannel"]
    assert rows[0]["definition:it"].startswith("A contract between programs")
    assert rows[0]["definition:marketing"] == "What connects our tools."
    assert rows[0]["tags"] == "Architecture; Data"
    assert rows[0]["related_terms"] == "Omnichannel"


def test_csv_export_neutralises_formulas(reader_client, glossary_to_export):
    rows = csv_rows(reader_client.get(reverse("glossary:glossary_csv")).content.decode())
    omni = rows[1]
    assert omni["definition:marketing"].startswith("'=HYPERLINK")
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row.values())


def test_a_name_that_starts_with_the_guard_gets_one_more_so_both_spellings_come_back_apart(make_term, it, marketing):
    from glossary.interchange.files import export_csv, parse_upload

    terms = [make_term(name, it_text="One.") for name in ("=1 x", "'=1 x", "''x", "'90s")]
    exported = export_csv(Term.objects.order_by("pk"), [it, marketing])
    assert [row["name"] for row in csv_rows(exported)] == ["'=1 x", "''=1 x", "'''x", "''90s"]
    parsed = parse_upload("glossary.csv", exported.encode(), [it, marketing])
    assert [row.values["name"] for row in parsed.rows] == [term.name for term in terms]


def test_an_apostrophe_typed_at_the_start_of_a_cell_by_hand_is_kept(it, marketing):
    from glossary.interchange.files import parse_upload

    parsed = parse_upload("hand-made.csv", b"name,definition:it\n'90s music,Music of the nineties.\n", [it, marketing])
    assert parsed.rows[0].values["name"] == "'90s music"


# What a spreadsheet would run as a formula, the guard itself, and doubled guards, before any text.
STARTS = ["", "=", "+", "-", "@", "'", "\t", "\r", "''", "'=", "=+", "\t'", "\r\n="]
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("=+-@'\t\r\n;,"), max_size=30)
LETTERS = st.text(st.characters(categories=("Ll", "Lu")), min_size=1, max_size=10)


def starting_like_a_formula(rest=ANY_TEXT):
    return st.tuples(st.sampled_from(STARTS), rest).map("".join)


@pytest.mark.slow
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    name=starting_like_a_formula(LETTERS.map(lambda letters: "x" + letters)),
    abbreviation=starting_like_a_formula(st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=10)),
    texts=st.fixed_dictionaries({field: starting_like_a_formula() for field in ("summary", "examples", "owner")}),
    it_text=starting_like_a_formula(ANY_TEXT.map(lambda text: "d" + text)),
    marketing_text=starting_like_a_formula(),
    synonym=starting_like_a_formula(LETTERS),
    tag=starting_like_a_formula(LETTERS),
)
def test_every_text_field_comes_back_from_the_csv_exactly_as_stored(
    make_term, it, marketing, name, abbreviation, texts, it_text, marketing_text, synonym, tag
):
    from django.db import transaction

    from glossary.entries import CONTENT
    from glossary.interchange.files import entry_record, export_csv, parse_upload
    from glossary.spreadsheets import FORMULA_STARTS

    departments = [it, marketing]
    with transaction.atomic():
        term = make_term(
            name,
            abbreviation=abbreviation,
            it_text=it_text,
            marketing_text=marketing_text,
            synonyms=synonym,
            tags=[tag],
            **texts,
        )
        stored = entry_record(Entry.from_term(term), departments)
        exported = export_csv([term], departments)
        transaction.set_rollback(True)  # the next example starts from an empty glossary again
    assert all(not cell.startswith(FORMULA_STARTS) for row in csv.reader(io.StringIO(exported)) for cell in row)
    parsed = parse_upload("glossary.csv", exported.encode(), departments)
    assert not parsed.has_errors, (parsed.errors, [row.errors for row in parsed.rows])
    [row] = parsed.rows
    # Every department has its column; an empty one says "no definition" (it clears one on import).
    read = {**row.values, "definitions": {slug: body for slug, body in row.values["definitions"].items() if body}}
    assert read == {f.name: stored[f.export_name] for f in CONTENT}


def test_json_export_with_history(reader_client, glossary_to_export):
    document = json.loads(reader_client.get(reverse("glossary:glossary_json"), {"history": "1"}).content)
    assert document["format"] == "common-ground-glossary"
    assert [d["slug"] for d in document["departments"]] == ["it", "marketing"]
    api = document["terms"][0]
    assert api["definitions"]["marketing"] == "What connects our tools."
    assert [v["reason"] for v in api["history"]] == ["Test term", "Link"]
    assert api["history"][0]["definitions"]["it"].startswith("A contract")


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_round_trip_into_an_empty_glossary_reproduces_the_terms(
    reader_client, glossary_to_export, admin_user, ivan, marco, file_format
):
    before = {t.name: Entry.from_term(t) for t in Term.objects.all()}
    exported = reader_client.get(reverse(f"glossary:glossary_{file_format}")).content
    Term.objects.all().delete()

    report = glossary_import(filename=f"glossary.{file_format}", data=exported, user=admin_user, dry_run=False)
    assert report.ok and report.count("new term") == 2
    assert not Term.objects.exists(), "an import only proposes"
    for proposal in Proposal.objects.order_by("pk"):
        approve(proposal, ivan)
        approve(proposal, marco)
    after = {t.name: Entry.from_term(t) for t in Term.objects.all()}
    assert after.keys() == before.keys()
    for name, entry in before.items():
        assert after[name].definitions.values() and sorted(after[name].related_terms.values()) == sorted(
            entry.related_terms.values()
        )
        strip = {"related_terms": {}, "definitions": {}}
        assert Entry(**{**after[name].__dict__, **strip}) == Entry(**{**entry.__dict__, **strip})
        assert sorted(after[name].definitions.values()) == sorted(entry.definitions.values())


def test_dry_run_reports_and_writes_nothing(glossary_to_export, admin_user):
    data = "name,definition:it,status\nAPI,Changed wording.,approved\nLatency,Delay in ms.,approved\nOmnichannel,Integrated systems.,approved\n"
    report = glossary_import(filename="x.csv", data=data.encode(), user=admin_user, dry_run=True)
    assert [(c.row, c.name, c.action) for c in report.changes] == [
        (2, "API", "change"),
        (3, "Latency", "new term"),
        (4, "Omnichannel", "unchanged"),
    ]
    assert not Proposal.objects.exists()


def test_unchanged_terms_become_no_proposal(reader_client, glossary_to_export, admin_user):
    exported = reader_client.get(reverse("glossary:glossary_json")).content
    report = glossary_import(filename="g.json", data=exported, user=admin_user, dry_run=False)
    assert report.count("unchanged") == 2
    assert not Proposal.objects.exists()


def test_one_invalid_row_means_nothing_is_imported(glossary_to_export, admin_user):
    data = "name,definition:it\nLatency,Delay.\n,No name here\nLoad time,\n"
    report = glossary_import(filename="x.csv", data=data.encode(), user=admin_user, dry_run=False)
    assert not report.ok
    assert [(r.number, r.errors) for r in report.row_errors] == [
        (3, ["has no name"]),
    ]
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize(
    "filename, data",
    [
        ("x.csv", "name,definition:it,status\nLatency,Delay.,approved\nGopher,Old protocol.,deprecated\n"),
        (
            "x.json",
            json.dumps(
                {
                    "terms": [
                        {"name": "Latency", "definitions": {"it": "Delay."}, "status": "approved"},
                        {"name": "Gopher", "definitions": {"it": "Old protocol."}, "status": "deprecated"},
                    ]
                }
            ),
        ),
    ],
)
def test_a_new_term_marked_deprecated_is_left_out_and_said_so(glossary_to_export, admin_user, filename, data, dry_run):
    """Proposed as an approved term it would publish what the file says is not to be used; refusing
    it would refuse the whole file. The terms beside it come in."""
    before = snapshot()
    report = glossary_import(filename=filename, data=data.encode(), user=admin_user, dry_run=dry_run)
    assert report.ok
    gopher_row = 3 if filename.endswith(".csv") else 2
    assert [(c.row, c.name, c.action, c.notes) for c in report.changes] == [
        (gopher_row - 1, "Latency", "new term", []),
        (
            gopher_row,
            "Gopher",
            "left out",
            ["marked deprecated and not in the glossary, so left out: a new term cannot start deprecated"],
        ),
    ]
    assert report.summary.endswith("; 0 unchanged, 1 left out.")
    if dry_run:
        assert snapshot() == before
    else:
        assert list(Proposal.objects.values_list("name", flat=True)) == ["Latency"]
        assert not Term.objects.filter(name="Gopher").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ("name,definition:it\nÄpfel,Obst\n".encode("latin-1"), "not UTF-8"),
        (b"title,text\nAPI,x\n", "must be “name”"),
        (b"name,definition:finance\nAPI,x\n", "Unknown column"),
        (b"name,definition:it\nLatency,a\nlatency ,b\n", "repeats the name"),
        (b"", "empty"),
        (b'{"terms": [', "not valid JSON"),
        (b'{"terms": [{"name": "X", "definitions": {"legal": "y"}}]}', "unknown department"),
        (b"name,definition:it\nA\x00B,x\n", "NUL"),
        (b"name,definition:it,status\nLatency,x,final\n", "unknown status"),
        (b"name,definition:it\n" + b"x" * 200 + b",y\n", "at most 120 characters"),
        (("name,definition:it\n" + "ﷺ" * 8 + ",y\n").encode(), "at most 120 characters"),
        (b"name,common_ground,definition:it\nLatency," + b"x" * 5001 + b",y\n", "summary: "),
        (b"name,tags,definition:it\nLatency," + b"t" * 61 + b",y\n", "at most 60 characters"),
        (b"name,tags,definition:it\nLatency,x y; x-y,y\n", "differ only in spacing or punctuation"),
    ],
)
def test_bad_files_get_a_clear_message_and_import_nothing(admin_user, glossary_to_export, data, message):
    report = glossary_import(
        filename="upload.json" if data.startswith(b"{") else "upload.csv", data=data, user=admin_user, dry_run=False
    )
    assert not report.ok
    messages = " ".join(report.file_errors + [e for row in report.row_errors for e in row.errors])
    assert message in messages
    assert not Proposal.objects.exists()


def test_import_page_for_glossary_admins_only(client, admin_user, ada, glossary_to_export):
    client.force_login(ada)
    assert client.get(reverse("glossary:glossary_import")).status_code == 403
    upload = SimpleUploadedFile("x.csv", b"name,definition:it\nLatency,Delay.\n", content_type="text/csv")
    assert client.post(reverse("glossary:glossary_import"), {"file": upload}).status_code == 403
    assert not Proposal.objects.exists()

    client.force_login(admin_user)
    upload = SimpleUploadedFile("x.csv", b"name,definition:it\nLatency,Delay.\n", content_type="text/csv")
    page = client.post(reverse("glossary:glossary_import"), {"file": upload, "dry_run": "on"}).content.decode()
    assert "Dry run of “x.csv”: nothing was written" in page
    assert "1 new term" in page
    upload = SimpleUploadedFile("x.csv", b"name,definition:it\nLatency,Delay.\n", content_type="text/csv")
    page = client.post(reverse("glossary:glossary_import"), {"file": upload}).content.decode()
    proposal = Proposal.objects.get()
    assert proposal.get_absolute_url() in page


def test_ten_megabytes_of_junk_is_refused_with_a_message(client, admin_user):
    client.force_login(admin_user)
    junk = SimpleUploadedFile("junk.csv", b"\xff\xfe" * (5 * 1024 * 1024), content_type="text/csv")
    response = client.post(reverse("glossary:glossary_import"), {"file": junk})
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()
    assert not Proposal.objects.exists()


def test_export_and_import_commands(tmp_path, glossary_to_export, admin_user, capsys):
    out = tmp_path / "g.csv"
    call_command("export_glossary", str(out))
    assert "Wrote 2 terms" in capsys.readouterr().out
    Term.objects.filter(name="Omnichannel").delete()
    call_command("import_glossary", str(out), "--user", admin_user.username, "--dry-run")
    assert "1 new term" in capsys.readouterr().out
    assert not Proposal.objects.exists()
    call_command("import_glossary", str(out), "--user", admin_user.username)
    # API changes too: its link to Omnichannel is gone until the new Omnichannel is published.
    assert sorted(Proposal.objects.values_list("name", "kind")) == [("API", "change"), ("Omnichannel", "new_term")]


@pytest.mark.parametrize(
    ("file_name", "arguments", "query"),
    [("g.csv", [], {}), ("g.csv", ["--letter", "O"], {"letter": "O"}), ("g.json", ["--history"], {"history": "1"})],
)
def test_export_command_writes_the_file_the_export_link_sends(
    tmp_path, reader_client, glossary_to_export, file_name, arguments, query
):
    out = tmp_path / file_name
    call_command("export_glossary", str(out), *arguments)
    sent = reader_client.get(reverse(f"glossary:glossary_{out.suffix[1:]}"), query).content.decode()
    written = out.read_bytes().decode()
    if out.suffix == ".json":
        # Only the moment each was made may differ.
        sent, written = ({k: v for k, v in json.loads(body).items() if k != "exported_at"} for body in (sent, written))
    assert written == sent


@pytest.mark.parametrize(
    "command, file_name", [("export_glossary", "g.csv"), pytest.param("export_pdf", "g.pdf", marks=pytest.mark.slow)]
)
def test_export_commands_read_the_filters_alike(tmp_path, glossary_to_export, capsys, command, file_name):
    call_command(command, str(tmp_path / file_name), "--letter", "o", "--status", "approved")
    assert capsys.readouterr().out.startswith("Wrote ")
    with pytest.raises(CommandError, match="--status: Select a valid choice"):
        call_command(command, str(tmp_path / file_name), "--status", "published")


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_a_file_without_a_fields_column_keeps_what_the_term_says_there(glossary_to_export, admin_user, file_format):
    """A spreadsheet of names and one department's definitions, or a file exported before a field
    existed, changes what it names and leaves the rest of each term as it is."""
    if file_format == "csv":
        data = "name,definition:it\nAPI,A contract between programs.\n"
    else:
        data = json.dumps({"terms": [{"name": "API", "definitions": {"it": "A contract between programs."}}]})
    report = glossary_import(filename=f"x.{file_format}", data=data.encode(), user=admin_user, dry_run=False)
    assert report.ok and [(c.name, c.action) for c in report.changes] == [("API", "change")]
    proposal = Proposal.objects.get()
    api = glossary_to_export[0]
    assert proposal.summary == api.summary and proposal.synonyms == api.synonyms and proposal.examples == api.examples
    assert proposal.kind == Proposal.Kind.CHANGE
    assert sorted(proposal.tag_list) == ["Architecture", "Data"]
    definitions = {d.department.slug: d.text for d in proposal.definitions.all()}
    assert definitions["it"] == "A contract between programs."
    assert definitions["marketing"] == "What connects our tools.", (
        "a department the file has no column for keeps its definition"
    )
