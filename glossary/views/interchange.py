"""Getting the glossary out (PDF, CSV, JSON) and back in (import as proposals)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from common.downloads import download
from glossary import workflow
from glossary.forms.interchange import ExportForm, ImportForm
from glossary.interchange.files import glossary_file
from glossary.interchange.imports import glossary_import
from glossary.interchange.options import ExportOptions
from glossary.interchange.selectors import pdf_export_status
from glossary.interchange.services import pdf_request
from glossary.models import PdfExport, Term
from glossary.views.terms import GlossaryReadMixin


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    return download(HttpResponse(bytes(pdf), content_type="application/pdf"), filename)


def _respond(request, options: ExportOptions):
    result = pdf_request(options=options, user=request.user if request.user.is_authenticated else None)
    if isinstance(result, PdfExport):
        return redirect(result)
    return pdf_response(result, options.filename("pdf"))


class GlossaryPdfView(GlossaryReadMixin, View):
    def get(self, request):
        form = ExportForm(request.GET)
        if not form.is_valid():
            errors = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in form.errors.items())
            return HttpResponse(f"These export options are not valid: {errors}", status=400, content_type="text/plain")
        return _respond(request, form.options())


class TermPdfView(GlossaryReadMixin, View):
    def get(self, request, slug):
        term = get_object_or_404(Term, slug=slug)
        return _respond(request, ExportOptions(term=term.slug))


class PdfExportView(GlossaryReadMixin, TemplateView):
    """A progress bar while the worker renders, then the download: by itself with JavaScript
    (static/js/export-progress.js), by a link in any case."""

    template_name = "glossary/pdf_export.html"

    def get_context_data(self, **kwargs):
        export = get_object_or_404(PdfExport.objects.defer("pdf"), pk=kwargs["pk"])
        return super().get_context_data(export=export, status=pdf_export_status(export), **kwargs)


class PdfExportStatusView(GlossaryReadMixin, View):
    def get(self, request, pk):
        export = get_object_or_404(PdfExport.objects.defer("pdf"), pk=pk)
        return JsonResponse(pdf_export_status(export))


class PdfExportDownloadView(GlossaryReadMixin, View):
    def get(self, request, pk):
        export = get_object_or_404(PdfExport, pk=pk, state=PdfExport.State.READY)
        made_on = timezone.localdate(export.finished_at)
        return pdf_response(export.pdf, ExportOptions(**export.options).filename("pdf", on=made_on))


class GlossaryFileView(GlossaryReadMixin, View):
    """The glossary as CSV or JSON, filtered like the PDF; JSON can carry each term's history."""

    def get(self, request, file_format):
        form = ExportForm(request.GET)
        if not form.is_valid():
            return HttpResponse("These export options are not valid.", status=400, content_type="text/plain")
        file = glossary_file(options=form.options(), file_format=file_format, history=bool(request.GET.get("history")))
        return download(HttpResponse(file.body, content_type=file.content_type), file.filename)


class GlossaryImportView(LoginRequiredMixin, TemplateView):
    """Glossary admins upload a CSV, JSON or SKOS file: checked first, then turned into proposals."""

    template_name = "glossary/import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not workflow.can_import(request.user):
            raise PermissionDenied("Only glossary admins can import.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=ImportForm()))

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        report = glossary_import(
            filename=upload.name,
            data=upload.read(),
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
            options=form.options(),
        )
        status = 200 if report.ok else 400
        return self.render_to_response(self.get_context_data(form=ImportForm(), report=report), status=status)
