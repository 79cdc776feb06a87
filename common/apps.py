from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Helpers every app may use: the client's address, log-in and API limits, safe redirects,
    request ids and logging, the admin's change reasons, the site's middleware, the release
    fingerprint and file downloads. It imports from no other app of the project."""

    name = "common"
    verbose_name = "Common"
