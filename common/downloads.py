"""A response sent as a file to keep, for the glossary's exports and the dashboard's CSV files alike."""

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header


def download(response: HttpResponse, filename: str) -> HttpResponse:
    """Send as a file that no cache keeps: an export may hold terms not yet approved, and a copy
    left in a shared cache or on a shared computer's disk outlives the reader's right to see them."""
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    patch_cache_control(response, private=True, no_store=True)
    return response
