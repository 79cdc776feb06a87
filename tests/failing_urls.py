"""The site's URLconf plus two pages for the tests' production servers: one that fails, and one
that says whether error tracking (the Sentry SDK) was started in that server."""

from django.http import JsonResponse
from django.urls import path

from config.urls import handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns

FAILURE_MESSAGE = "the tests' failing view failed on purpose"


class DeliberateFailure(Exception):
    pass


def failing_view(request):
    raise DeliberateFailure(FAILURE_MESSAGE)


def error_tracking_view(request):
    import sentry_sdk

    return JsonResponse({"started": sentry_sdk.is_initialized()})


urlpatterns = [
    path("tests/fail/", failing_view),
    path("tests/error-tracking/", error_tracking_view),
    *site_urlpatterns,
]
