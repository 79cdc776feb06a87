"""What the server-error mail to ADMINS may show of a request.

Django's SafeExceptionReporterFilter already hides the Authorization and Cookie headers, the
session and CSRF cookies and settings with secret-sounding names, and the mail (plain text) shows
no local variables. It shows the rest of the request as it came: the query string, where feed
tokens travel, in the address, in GET and in META; the CSRF secret, copied into META; form
bodies; other cookies. In production
those values are hidden too; their names stay, so the mail still says what the request carried.
"""

from django.utils.datastructures import MultiValueDict
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# Request variables holding the query string (gunicorn sets RAW_URI), and the CSRF secret that
# Django's CSRF middleware copies from its cookie.
HIDDEN_META = {"QUERY_STRING", "RAW_URI", "REQUEST_URI", "CSRF_COOKIE"}


class ReportFilter(SafeExceptionReporterFilter):
    def cleanse_setting(self, key, value):
        if key in HIDDEN_META and value:
            return self.cleansed_substitute
        return super().cleanse_setting(key, value)

    def get_safe_cookies(self, request):
        return dict.fromkeys(getattr(request, "COOKIES", {}), self.cleansed_substitute)

    def get_post_parameters(self, request):
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        return self.hidden_values(request.POST)

    def hidden_values(self, values: MultiValueDict) -> MultiValueDict:
        return MultiValueDict({name: [self.cleansed_substitute] for name in values})


class ErrorReporter(ExceptionReporter):
    """Django's report, with the request's address and GET read through ReportFilter."""

    def __init__(self, request, exc_type, exc_value, tb, is_email=False):
        super().__init__(request, exc_type, exc_value, tb, is_email)
        self.filter = ReportFilter()

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None and self.filter.is_active(self.request):
            data["request_GET_items"] = self.filter.hidden_values(self.request.GET).items()
            query = f"?{self.filter.cleansed_substitute}" if self.request.META.get("QUERY_STRING") else ""
            data["request_insecure_uri"] = (
                f"{self.request.scheme}://{self.request._get_raw_host()}{self.request.path}{query}"
            )
        return data
