from django.urls import path

from glossary import views

app_name = "glossary"

urlpatterns = [
    path("", views.TermListView.as_view(), name="term_list"),
    path("terms/<slug:slug>/", views.TermDetailView.as_view(), name="term_detail"),
    path("terms/<slug:slug>/history/", views.TermHistoryView.as_view(), name="term_history"),
]
