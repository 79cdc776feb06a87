"""Exported files are named after what they hold and the day they were made, and hold what the home
page's filters show."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from glossary.interchange.options import FILE_NAME_MAX_STEM, ExportOptions
from glossary.models import Term

DAY = date(2026, 11, 26)


def names_in_csv(response) -> list[str]:
    return [row["name"] for row in csv.DictReader(io.StringIO(response.content.decode()))]


def attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'


@pytest.mark.parametrize(
    ("options", "name"),
    [
        (ExportOptions(), "common-ground-glossary-2026-11-26.pdf"),
        (
            ExportOptions(status="approved", tag="architecture"),
            "common-ground-glossary-approved-tag-architecture-2026-11-26.pdf",
        ),
        (ExportOptions(status="in_review"), "common-ground-glossary-in-review-2026-11-26.pdf"),
        (ExportOptions(include_in_review=True), "common-ground-glossary-all-2026-11-26.pdf"),
        (ExportOptions(missing="marketing"), "common-ground-glossary-missing-marketing-2026-11-26.pdf"),
        (ExportOptions(letter="O"), "common-ground-glossary-letter-o-2026-11-26.pdf"),
        (ExportOptions(letter="#"), "common-ground-glossary-letter-other-2026-11-26.pdf"),
        (ExportOptions(query="Omni channel"), "common-ground-glossary-omni-channel-2026-11-26.pdf"),
        (
            ExportOptions(status="deprecated", tag="data", missing="it", letter="W", query="web 2.0"),
            "common-ground-glossary-deprecated-tag-data-missing-it-letter-w-web-2-0-2026-11-26.pdf",
        ),
        (ExportOptions(term="api"), "common-ground-glossary-term-api-2026-11-26.pdf"),
    ],
)
def test_file_is_named_after_its_filters_and_day(options, name):
    assert options.filename("pdf", on=DAY) == name


def test_file_name_is_ascii_and_cut_to_its_limit_whatever_the_search_words():
    hostile = 'Café "quoted" ../../etc/passwd\r\nContent-Type: x; 東京 ' + "ß" * 300
    name = ExportOptions(status="approved", query=hostile).filename("csv", on=DAY)
    assert name.isascii()
    assert name.startswith("common-ground-glossary-approved-cafe-quoted-etc-passwd-content-type-x-ss")
    assert name.endswith("-2026-11-26.csv") and "--" not in name
    assert len(name.removesuffix(".csv")) <= FILE_NAME_MAX_STEM
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-.")


def test_search_words_without_a_letter_to_keep_leave_the_name_unfiltered():
    assert ExportOptions(query="東京 — !!").filename("json", on=DAY) == "common-ground-glossary-2026-11-26.json"


def test_file_name_dates_the_file_in_the_sites_time_zone(settings):
    """UTC+14 and UTC-11 are 25 hours apart: their dates always differ."""
    names = {}
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        settings.TIME_ZONE = zone
        names[zone] = (ExportOptions().filename("csv"), timezone.localdate().isoformat())
    assert names["Pacific/Kiritimati"][0] != names["Pacific/Pago_Pago"][0]
    for name, day in names.values():
        assert name == f"common-ground-glossary-{day}.csv"


def test_csv_and_json_downloads_are_named_for_their_filters(reader_client, glossary_to_export):
    today = timezone.localdate().isoformat()
    response = reader_client.get(reverse("glossary:glossary_csv"), {"status": "approved", "tag": "architecture"})
    assert response["Content-Disposition"] == attachment(
        f"common-ground-glossary-approved-tag-architecture-{today}.csv"
    )
    assert names_in_csv(response) == ["API"]
    response = reader_client.get(reverse("glossary:glossary_json"))
    assert response["Content-Disposition"] == attachment(f"common-ground-glossary-{today}.json")
    assert response["Content-Type"] == "application/json"


def test_exports_take_the_home_pages_department_and_search_filters(reader_client, glossary_to_export, make_term):
    make_term("Lead", it_text="A ticket's owner.", status=Term.Status.APPROVED)
    today = timezone.localdate().isoformat()
    response = reader_client.get(reverse("glossary:glossary_csv"), {"missing": "marketing"})
    assert names_in_csv(response) == ["Lead"]
    assert response["Content-Disposition"] == attachment(f"common-ground-glossary-missing-marketing-{today}.csv")
    response = reader_client.get(reverse("glossary:glossary_csv"), {"q": "omni channel"})
    assert names_in_csv(response) == ["Omnichannel"]
    assert response["Content-Disposition"] == attachment(f"common-ground-glossary-omni-channel-{today}.csv")


def test_home_page_export_links_carry_the_search_and_department_filters(reader_client, glossary_to_export):
    page = reader_client.get(reverse("glossary:term_list"), {"q": "omni", "missing": "marketing"}).content.decode()
    assert '<input type="hidden" name="q" value="omni">' in page
    assert '<input type="hidden" name="missing" value="marketing">' in page
    assert f"{reverse('glossary:glossary_csv')}?missing=marketing&amp;q=omni" in page
    assert "Uses the filters above." in page


@pytest.mark.parametrize("query", [{"tag": "no-such-tag"}, {"missing": "finance"}, {"q": "a\x00b"}])
def test_unknown_filter_is_refused_not_exported_whole_under_its_name(reader_client, glossary_to_export, query):
    response = reader_client.get(reverse("glossary:glossary_csv"), query)
    assert response.status_code == 400
    assert "Content-Disposition" not in response


def test_export_command_takes_the_search_and_department_filters(tmp_path, glossary_to_export, make_term, capsys):
    make_term("Lead", it_text="A ticket's owner.", status=Term.Status.APPROVED)
    out = tmp_path / "g.csv"
    call_command("export_glossary", str(out), "--missing", "marketing")
    assert "Wrote 1 terms" in capsys.readouterr().out
    call_command("export_glossary", str(out), "--search", "programming interface")
    assert [row["name"] for row in csv.DictReader(io.StringIO(out.read_text()))] == ["API"]
