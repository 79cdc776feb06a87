"""The production 500 page, carrying the request's id for the user to quote."""

from django.conf import settings
from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from common.request_id import current_request_id


@requires_csrf_token
def server_error(request, template_name: str = "500.html"):
    """Render 500.html with the request id and nothing read from the database: the page is drawn
    without the request's context (its context processors query), as Django's own is, because the
    database may be what failed. Should the template fail too, a line of text still names the id."""
    request_id = getattr(request, "request_id", None) or current_request_id() or ""
    try:
        body = loader.get_template(template_name).render(
            {"request_id": request_id, "organisation": getattr(settings, "GLOSSARY_ORGANISATION", "")}
        )
    except Exception:
        return HttpResponseServerError(
            f"Server error. Reference: {request_id}\n", content_type="text/plain; charset=utf-8"
        )
    return HttpResponseServerError(body)
