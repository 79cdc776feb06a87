from django.urls import path

from glossary.dashboard import views as dashboard
from glossary.views import departments, feeds, interchange, proposals, review, terms, watching

app_name = "glossary"

urlpatterns = [
    path("", terms.TermListView.as_view(), name="term_list"),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("dashboard/<slug:table>.csv", dashboard.DashboardCsvView.as_view(), name="dashboard_csv"),
    path("terms/<slug:slug>/", terms.TermDetailView.as_view(), name="term_detail"),
    path("terms/<slug:slug>/history/", terms.TermHistoryView.as_view(), name="term_history"),
    # No closing slash: the address is the department's URI in every SKOS file already given out.
    path("departments/<slug:slug>", departments.DepartmentDetailView.as_view(), name="department_detail"),
    path("terms/<slug:slug>/export.pdf", interchange.TermPdfView.as_view(), name="term_pdf"),
    path("export/glossary.pdf", interchange.GlossaryPdfView.as_view(), name="glossary_pdf"),
    path("export/glossary.csv", interchange.GlossaryFileView.as_view(), {"file_format": "csv"}, name="glossary_csv"),
    path("export/glossary.json", interchange.GlossaryFileView.as_view(), {"file_format": "json"}, name="glossary_json"),
    # SKOS: Turtle, RDF/XML, JSON-LD.
    path("export/glossary.ttl", interchange.GlossaryFileView.as_view(), {"file_format": "ttl"}, name="glossary_ttl"),
    path("export/glossary.rdf", interchange.GlossaryFileView.as_view(), {"file_format": "rdf"}, name="glossary_rdf"),
    path(
        "export/glossary.jsonld",
        interchange.GlossaryFileView.as_view(),
        {"file_format": "jsonld"},
        name="glossary_jsonld",
    ),
    path("feeds/changes.atom", feeds.PublishedChangesFeed(), name="feed_changes"),
    path("feeds/tags/<slug:slug>.atom", feeds.TagChangesFeed(), name="feed_tag_changes"),
    path("feeds/terms/<slug:slug>.atom", feeds.TermChangesFeed(), name="feed_term_changes"),
    path("review/due/", review.DueForReviewView.as_view(), name="review_due"),
    path("terms/<slug:slug>/confirm-review/", review.ReviewConfirmView.as_view(), name="term_confirm_review"),
    path("watching/", watching.MyWatchesView.as_view(), name="my_watches"),
    path("watching/<int:pk>/remove/", watching.WatchRemoveView.as_view(), name="watch_remove"),
    path("unsubscribe/<str:token>/", watching.UnsubscribeView.as_view(), name="unsubscribe"),
    path("import/", interchange.GlossaryImportView.as_view(), name="glossary_import"),
    path("export/<uuid:pk>/", interchange.PdfExportView.as_view(), name="pdf_export"),
    path("export/<uuid:pk>/status.json", interchange.PdfExportStatusView.as_view(), name="pdf_export_status"),
    path("export/<uuid:pk>/download.pdf", interchange.PdfExportDownloadView.as_view(), name="pdf_export_download"),
    path("terms/<slug:slug>/propose/", proposals.ProposalFormView.as_view(), name="term_propose_change"),
    path(
        "terms/<slug:slug>/history/<int:version>/restore/",
        proposals.ProposalFormView.as_view(),
        name="term_propose_restore",
    ),
    path("terms/<slug:slug>/deprecate/", proposals.DeprecateView.as_view(), name="term_propose_deprecation"),
    path("propose/", proposals.ProposalFormView.as_view(), name="term_propose_new"),
    path("proposals/mine/", proposals.MyProposalsView.as_view(), name="my_proposals"),
    path("proposals/awaiting-me/", proposals.SignOffQueueView.as_view(), name="sign_off_queue"),
    path("proposals/<int:pk>/", proposals.ProposalDetailView.as_view(), name="proposal_detail"),
    path("proposals/<int:pk>/edit/", proposals.ProposalEditView.as_view(), name="proposal_edit"),
    path("proposals/<int:pk>/<slug:action>/", proposals.ProposalActionView.as_view(), name="proposal_action"),
]
