import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from glossary import queues
from glossary.interchange.options import ExportOptions
from glossary.interchange.pdf import glossary_pdf, render_pdf
from glossary.interchange.selectors import pdf_export_status
from glossary.models import Term
from glossary.services.terms import term_save
from tests.interchange.pdfs import outline_titles, pdf_text
from tests.workflow_helpers import approve, new_term_entry

pytestmark = pytest.mark.slow


def test_pdf_holds_every_approved_term_with_both_definitions(glossary_in_every_status):
    text = pdf_text(render_pdf(ExportOptions()))
    for words in [
        "Omnichannel",
        "API",
        "Fully integrated systems with real-time data flow.",
        "A consistent experience at every touchpoint.",
        "A contract between programs.",
        "What connects our tools.",
        "One experience across channels.",
        "What IT means",
        "What Marketing means",
    ]:
        assert words in text
    assert "Budget" not in text
    assert "Web 2.0" not in text
    assert "**" not in text, "Markdown is rendered, not printed"


def test_pdf_has_cover_contents_with_page_numbers_bookmarks_and_page_n_of_m(glossary_in_every_status):
    pdf = render_pdf(ExportOptions())
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    contents = reader.pages[1].extract_text()
    assert "Contents" in contents
    assert "Omnichannel" in contents and "API" in contents
    assert any(line.rstrip().endswith(tuple("0123456789")) for line in contents.splitlines() if "API" in line)
    assert outline_titles(pdf) == ["Contents", "A", "API", "O", "Omnichannel"]
    assert f"Page 3 of {pages}" in reader.pages[2].extract_text()
    assert "Glossary" in reader.pages[0].extract_text()


def test_pdf_metadata_and_tagged_pdf_ua(glossary_in_every_status, settings):
    settings.GLOSSARY_ORGANISATION = "Acme Corp"
    reader = PdfReader(io.BytesIO(render_pdf(ExportOptions())))
    assert reader.metadata.title == "Acme Corp glossary"
    assert reader.metadata.author == "Acme Corp"
    assert reader.metadata["/CreationDate"]
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])  # the title, not the file name, is shown
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid:part>1<" in xmp.replace(" ", "") or 'pdfuaid:part="1"' in xmp


def test_pdf_can_include_terms_in_review_clearly_marked(glossary_in_every_status):
    text = pdf_text(render_pdf(ExportOptions(include_in_review=True)))
    assert "Budget" in text
    assert "not yet approved" in text.lower()
    assert "Web 2.0" not in text


def test_pdf_filters_by_tag_letter_and_status(glossary_in_every_status):
    assert "API" not in pdf_text(render_pdf(ExportOptions(tag="customer-experience")))
    assert "Omnichannel" in pdf_text(render_pdf(ExportOptions(tag="customer-experience")))
    by_letter = pdf_text(render_pdf(ExportOptions(letter="A")))
    assert "API" in by_letter and "Omnichannel" not in by_letter
    assert "Web 2.0" in pdf_text(render_pdf(ExportOptions(status="deprecated")))


def test_one_term_pdf(glossary_in_every_status):
    term = Term.objects.get(name="Budget")
    text = pdf_text(render_pdf(ExportOptions(term=term.slug)))
    assert "Budget" in text and "Media spend." in text
    assert "Omnichannel" not in text


def test_sign_off_line_names_each_departments_approver(ada, ivan, marco, it, marketing):
    from glossary.services.proposals import proposal_create

    proposal = proposal_create(author=ada, reason="New", entry=new_term_entry(it, marketing, name="Lead"))
    approve(proposal, ivan)
    approve(proposal, marco)
    text = " ".join(pdf_text(render_pdf(ExportOptions())).split())
    assert "Approved by Ivan Okafor (IT) on" in text
    assert "Marco Silva (Marketing) on" in text


def test_second_download_comes_from_the_cache_and_any_change_invalidates_it(
    glossary_in_every_status, ada, django_assert_max_num_queries
):
    first = glossary_pdf(ExportOptions())
    with django_assert_max_num_queries(1):  # the fingerprint only: nothing is rendered again
        assert glossary_pdf(ExportOptions()) == first
    term = Term.objects.get(name="API")
    term_save(term=term, user=ada, reason="Sharper", fields={"summary": "An interface other software can rely on."})
    assert "An interface other software can rely on." in pdf_text(glossary_pdf(ExportOptions()))


def test_pdf_downloads_from_the_home_page_and_term_page(reader_client, glossary_in_every_status):
    page = reader_client.get(reverse("glossary:term_list")).content.decode()
    assert 'action="/export/glossary.pdf"' in page
    response = reader_client.get(reverse("glossary:glossary_pdf"), {"include_in_review": "on"})
    assert response["Content-Type"] == "application/pdf"
    assert "Budget" in pdf_text(response.content)
    term = Term.objects.get(name="API")
    response = reader_client.get(reverse("glossary:term_pdf", args=[term.slug]))
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="common-ground-glossary-term-api-{today}.pdf"'


def test_bad_pdf_options_get_a_message_not_a_500(reader_client, glossary_in_every_status):
    response = reader_client.get(reverse("glossary:glossary_pdf"), {"letter": "ZZ", "status": "x"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_pdf_needs_login(client, glossary_in_every_status):
    assert client.get(reverse("glossary:glossary_pdf")).status_code == 302


def test_export_pdf_command(tmp_path, glossary_in_every_status, capsys):
    out = tmp_path / "g.pdf"
    call_command("export_pdf", str(out), "--include-in-review")
    assert "Budget" in pdf_text(out.read_bytes())
    assert "[100%] Ready" in capsys.readouterr().err


def test_cache_in_redis_is_shared_and_invalidated_by_a_change(glossary_in_every_status, ada, settings):
    """Two app servers share one Redis: what one renders the other serves, until a change."""
    import redis
    from django.core.cache import caches

    from tests.databases import REDIS_PDF_URL as url

    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    caches["default"].clear()
    from glossary.caching import cached_pdf

    pdf = glossary_pdf(ExportOptions())
    assert redis.Redis.from_url(url).dbsize() == 1
    assert cached_pdf(ExportOptions()) == pdf
    term_save(term=Term.objects.get(name="API"), user=ada, reason="Change", fields={"abbreviation": "APIs"})
    assert cached_pdf(ExportOptions()) is None
    caches["default"].clear()


# The worker commits and reconnects as in production, so this test runs outside a test transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_large_export_runs_in_the_worker_with_progress_then_downloads(
    reader_client, glossary_in_every_status, settings
):
    from glossary.models import PdfExport

    settings.GLOSSARY_PDF_INLINE_LIMIT = 1
    response = reader_client.get(reverse("glossary:glossary_pdf"))
    export = PdfExport.objects.get()
    assert response.status_code == 302 and response["Location"] == export.get_absolute_url()
    page = reader_client.get(export.get_absolute_url()).content.decode()
    assert "<progress" in page and "Preparing your PDF" in page
    assert reader_client.get(reverse("glossary:pdf_export_status", args=[export.pk])).json()["state"] == "queued"
    # Asking again while it waits joins the same export instead of queueing another.
    assert reader_client.get(reverse("glossary:glossary_pdf"))["Location"] == export.get_absolute_url()

    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", queues.EXPORTS)

    status = reader_client.get(reverse("glossary:pdf_export_status", args=[export.pk])).json()
    assert status["state"] == "ready" and status["progress"] == 100 and status["message"] == "Ready"
    assert status["download_url"] == reverse("glossary:pdf_export_download", args=[export.pk])
    assert "Download the PDF" in reader_client.get(export.get_absolute_url()).content.decode()
    download = reader_client.get(reverse("glossary:pdf_export_download", args=[export.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert "Omnichannel" in pdf_text(download.content)
    again = reader_client.get(reverse("glossary:glossary_pdf"))
    assert again.status_code == 200 and again["Content-Type"] == "application/pdf"


def test_a_few_hundred_terms_download_straight_from_the_click(reader_client, it, marketing):
    from glossary.models import Definition
    from glossary.text import initial, name_key

    # Rows written directly: this is about how many terms there are, not how they were made.
    names = [f"Term {n:03d}" for n in range(300)]
    Term.objects.bulk_create(
        Term(name=name, name_key=name_key(name), initial=initial(name), slug=f"term-{n}", status=Term.Status.APPROVED)
        for n, name in enumerate(names)
    )
    Definition.objects.bulk_create(
        Definition(term=term, department=it, text=f"What {term.name} means.") for term in Term.objects.all()
    )
    response = reader_client.get(reverse("glossary:glossary_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert all(name in text for name in names)


def test_unfinished_or_unknown_export_downloads_404(reader_client, glossary_in_every_status):
    from glossary.models import PdfExport

    export = PdfExport.objects.create(options={}, key="k")
    assert reader_client.get(reverse("glossary:pdf_export_download", args=[export.pk])).status_code == 404
    assert reader_client.get("/export/00000000-0000-0000-0000-000000000000/").status_code == 404


def _export(options: ExportOptions):
    from dataclasses import asdict

    from glossary.models import PdfExport

    return PdfExport.objects.create(options=asdict(options), key="test")


def test_background_export_records_terms_prepared_then_layout(reader_client, glossary_in_every_status, settings):
    """A real export run, every step recorded (no throttle): what the row holds and the status poll says."""
    from glossary.interchange.tasks import pdf_export_build
    from glossary.models import PdfExport

    settings.GLOSSARY_PDF_PROGRESS_SECONDS = 0
    export = _export(ExportOptions(include_in_review=True))
    status_url = reverse("glossary:pdf_export_status", args=[export.pk])
    seen = []

    def listen(step):
        row = PdfExport.objects.defer("pdf").get(pk=export.pk)
        status = reader_client.get(status_url).json()
        assert status["state"] == row.state == "running"
        assert (status["terms_done"], status["terms_total"], status["pages"]) == (
            row.terms_done,
            row.terms_total,
            row.pages,
        )
        seen.append((row.stage, row.terms_done, row.terms_total, row.pages, row.progress, status["message"]))

    pdf_export_build(export_id=str(export.pk), on_progress=listen)

    terms = [s for s in seen if s[0] == "terms"]
    assert [s[1:3] for s in terms] == [(0, 3), (1, 3), (2, 3), (3, 3)]  # Omnichannel, API, Budget
    assert terms[2][5] == "Prepared 2 of 3 terms"
    # Typst lays out and writes the file in one call: one step for it, then the finished file.
    [layout] = [s for s in seen if s[0] == "layout"]
    assert layout[5] == "Laying out the pages for 3 terms…"
    assert [s[0] for s in seen] == ["terms"] * 4 + ["layout"]
    progress = [s[4] for s in seen]
    assert progress == sorted(progress) and progress[0] == 0 and progress[-1] < 100
    export.refresh_from_db()
    assert export.pages == len(PdfReader(io.BytesIO(bytes(export.pdf))).pages) > 2
    status = reader_client.get(status_url).json()
    assert status["state"] == "ready" and status["progress"] == 100 and status["message"] == "Ready"
    assert status["pages"] == export.pages
    assert status["download_url"] == reverse("glossary:pdf_export_download", args=[export.pk])


def test_background_export_writes_progress_at_each_stage_and_at_most_once_an_interval_within(
    glossary_in_every_status, settings
):
    from glossary.interchange.tasks import pdf_export_build

    settings.GLOSSARY_PDF_PROGRESS_SECONDS = 3600
    export = _export(ExportOptions(include_in_review=True))
    seen = []
    pdf_export_build(
        export_id=str(export.pk), on_progress=lambda step: seen.append((step.stage, step.done, step.pages))
    )
    # The first and last term and the start of layout: nothing in between.
    assert seen == [("terms", 0, 0), ("terms", 3, 0), ("layout", 3, 0)]


def test_failed_export_says_why(reader_client, glossary_in_every_status):
    from glossary.interchange.tasks import pdf_export_build
    from glossary.models import PdfExport

    export = PdfExport.objects.create(options={"colour": "red"}, key="test")  # options from no release of ours
    with pytest.raises(TypeError):
        pdf_export_build(export_id=str(export.pk))
    status = reader_client.get(reverse("glossary:pdf_export_status", args=[export.pk])).json()
    assert status["state"] == "failed" and status["message"].startswith("The PDF could not be made")
    assert "could not be made" in reader_client.get(export.get_absolute_url()).content.decode()


def test_filtered_pdf_is_named_for_its_filters(reader_client, glossary_in_every_status):
    today = timezone.localdate().isoformat()
    response = reader_client.get(reverse("glossary:glossary_pdf"), {"status": "approved", "tag": "customer-experience"})
    assert response["Content-Type"] == "application/pdf"
    expected = f"common-ground-glossary-approved-tag-customer-experience-{today}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert (
        "Omnichannel" in pdf_text(response.content)
        and "API" not in pdf_text(response.content).split("Omnichannel", 1)[1]
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_queued_export_says_it_waits_for_the_worker_and_its_place_in_the_queue(
    reader_client, glossary_in_every_status, settings
):
    from glossary.models import PdfExport

    settings.GLOSSARY_PDF_INLINE_LIMIT = 1
    reader_client.get(reverse("glossary:glossary_pdf"))
    reader_client.get(reverse("glossary:glossary_pdf"), {"include_in_review": "on"})
    first, second = PdfExport.objects.order_by("created_at")

    def status(export):
        return reader_client.get(reverse("glossary:pdf_export_status", args=[export.pk])).json()

    assert (status(first)["place_in_queue"], status(first)["message"]) == (
        1,
        "Waiting for the worker: yours is next in the queue",
    )
    assert (status(second)["place_in_queue"], status(second)["message"]) == (
        2,
        "Waiting for the worker: 1 export is ahead of yours",
    )
    # Next in the queue for over two minutes: the worker is probably not running, and the page says so.
    later = first.created_at + timedelta(minutes=2, seconds=1)
    assert pdf_export_status(first, now=later)["message"].endswith(
        "the background worker may not be running: if this page does not move on, tell your administrator."
    )
    assert pdf_export_status(second, now=later)["message"] == "Waiting for the worker: 1 export is ahead of yours"
    assert "may not be running" not in pdf_export_status(first, now=later - timedelta(seconds=2))["message"]
    page = reader_client.get(second.get_absolute_url()).content.decode()
    assert "Waiting for the worker: 1 export is ahead of yours" in page
    assert f'href="{reverse("glossary:pdf_export_download", args=[second.pk])}"' in page  # shown once it is ready

    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", queues.EXPORTS, "--max-tasks", "1")

    assert status(first)["state"] == "ready" and status(first)["place_in_queue"] is None
    assert (status(second)["place_in_queue"], status(second)["message"]) == (
        1,
        "Waiting for the worker: yours is next in the queue",
    )
