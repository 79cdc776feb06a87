"""The project's URLs plus two comparison views: a bare template of a given size rendered with no
queries, and the site's layout alone for the logged-in user (the floor under every page)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.template import engines
from django.urls import include, path

_TEMPLATE = engines["django"].from_string(
    "<!doctype html><html><body>{% for line in lines %}<p>{{ line }}</p>{% endfor %}</body></html>"
)


def bare(request, size):
    lines = ["x" * 93] * max(size // 100, 1)
    return HttpResponse(_TEMPLATE.render({"lines": lines}))


def layout(request):
    """Session, user, navigation badges and the base template, with an empty page inside."""
    return render(request, "base.html")


urlpatterns = [path("__bare__/<int:size>/", bare), path("__layout__/", layout), path("", include("config.urls"))]
