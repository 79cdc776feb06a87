"""A department's page: its address is also its URI in SKOS (glossary/interchange/skos.py), so a client
that asks for RDF gets the department as RDF."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from glossary.interchange.skos import FORMATS, export_department
from glossary.negotiation import Representation, preferred_representation
from glossary.selectors import departments as selectors
from glossary.views import page_number
from glossary.views.terms import GlossaryReadMixin

# What a department's address answers with: the page for browsers, the department in RDF for
# clients that ask for it, negotiated as a term's address is.
DEPARTMENT_REPRESENTATIONS = [
    Representation("text/html", "html"),
    *(Representation(media_type.split(";")[0], file_format) for file_format, (_, media_type) in FORMATS.items()),
]


class DepartmentDetailView(GlossaryReadMixin, TemplateView):
    template_name = "glossary/department_detail.html"

    def get(self, request, *args, **kwargs):
        department = selectors.department_for_page(kwargs["slug"])
        if department is None:
            raise Http404("No such department.")
        representation = preferred_representation(request.headers.get("Accept", ""), DEPARTMENT_REPRESENTATIONS)
        if representation.name in FORMATS:
            file_format = representation.name
            response = HttpResponse(export_department(department, file_format), content_type=FORMATS[file_format][1])
        else:
            response = self.render_to_response(self.get_context_data(department=department, **kwargs))
        patch_vary_headers(response, ["Accept"])
        return response

    def get_context_data(self, **kwargs):
        department = kwargs["department"]
        page = Paginator(selectors.terms_defined_by(department), settings.GLOSSARY_PAGE_SIZE).get_page(
            page_number(self.request.GET.get("page"))
        )
        return super().get_context_data(approvers=selectors.department_approvers(department), page=page, **kwargs)
