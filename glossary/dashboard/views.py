"""The alignment dashboard and a CSV file of each of its tables."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.views import View
from django.views.generic import TemplateView

from common.downloads import download
from glossary.dashboard.forms import DashboardFilterForm
from glossary.dashboard.tables import TABLE_SLUGS, current_figures, dashboard_sections, dashboard_table
from glossary.selectors.terms import tag_choices
from glossary.views.terms import GlossaryReadMixin


def _figures(request, tag):
    return current_figures(tag=tag, user=getattr(request, "user", None))


def _filter_form(request) -> DashboardFilterForm:
    form = DashboardFilterForm(request.GET or None, tags=tag_choices())
    if form.is_bound:
        form.is_valid()
    return form


class DashboardView(GlossaryReadMixin, TemplateView):
    template_name = "glossary/dashboard.html"

    def get_context_data(self, **kwargs):
        form = _filter_form(self.request)
        tag = form.chosen_tag()
        figures = _figures(self.request, tag)
        return super().get_context_data(
            form=form,
            tag=tag,
            figures=figures,
            sections=dashboard_sections(figures),
            tag_query=urlencode({"tag": tag.slug}) if tag else "",
            **kwargs,
        )


class DashboardCsvView(GlossaryReadMixin, View):
    """One table of the dashboard as CSV: its columns, then its rows, as the page shows them."""

    def get(self, request, table):
        if table not in TABLE_SLUGS:
            raise Http404("The dashboard has no table of that name.")
        tag = _filter_form(request).chosen_tag()
        found = dashboard_table(_figures(request, tag), table)
        name = f"dashboard-{table}{'-' + tag.slug if tag else ''}.csv"
        return download(HttpResponse(found.as_csv(), content_type="text/csv; charset=utf-8"), name)
