"""Downloads: the glossary or one term as PDF."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from glossary.exports.options import ExportOptions
from glossary.exports.pdf import glossary_pdf
from glossary.forms import ExportForm
from glossary.models import Term
from glossary.views.terms import GlossaryReadMixin


def pdf_response(pdf: bytes, options: ExportOptions) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{options.filename()}"'
    return response


class GlossaryPdfView(GlossaryReadMixin, View):
    def get(self, request):
        form = ExportForm(request.GET)
        if not form.is_valid():
            errors = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in form.errors.items())
            return HttpResponse(f"These export options are not valid: {errors}", status=400, content_type="text/plain")
        options = form.options()
        return pdf_response(glossary_pdf(options), options)


class TermPdfView(GlossaryReadMixin, View):
    def get(self, request, slug):
        term = get_object_or_404(Term, slug=slug)
        options = ExportOptions(term=term.slug)
        return pdf_response(glossary_pdf(options), options)
