"""Downloads: the glossary or one term as PDF, and the progress of a large export."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from glossary.exports.options import ExportOptions
from glossary.forms import ExportForm
from glossary.models import PdfExport, Term
from glossary.services.exports import pdf_request
from glossary.views.terms import GlossaryReadMixin


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _respond(request, options: ExportOptions):
    result = pdf_request(options=options, user=request.user if request.user.is_authenticated else None)
    if isinstance(result, PdfExport):
        return redirect(result)
    return pdf_response(result, options.filename())


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
    """A progress bar while the worker renders; a download link when it is done."""

    template_name = "glossary/pdf_export.html"

    def get_context_data(self, **kwargs):
        export = get_object_or_404(PdfExport.objects.defer("pdf"), pk=kwargs["pk"])
        return super().get_context_data(export=export, **kwargs)


class PdfExportStatusView(GlossaryReadMixin, View):
    def get(self, request, pk):
        export = get_object_or_404(PdfExport.objects.defer("pdf"), pk=pk)
        return JsonResponse(
            {"state": export.state, "progress": export.progress, "message": export.message or export.get_state_display()}
        )


class PdfExportDownloadView(GlossaryReadMixin, View):
    def get(self, request, pk):
        export = get_object_or_404(PdfExport, pk=pk, state=PdfExport.State.READY)
        return pdf_response(export.pdf, ExportOptions(**export.options).filename())
