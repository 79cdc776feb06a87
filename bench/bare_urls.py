"""The project's URLs plus a bare view: a template of a given size, rendered with no queries."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

_TEMPLATE = engines["django"].from_string("<!doctype html><html><body>{% for line in lines %}<p>{{ line }}</p>{% endfor %}</body></html>")


def bare(request, size):
    lines = ["x" * 93] * max(size // 100, 1)
    return HttpResponse(_TEMPLATE.render({"lines": lines}))


urlpatterns = [path("__bare__/<int:size>/", bare), path("", include("config.urls"))]
