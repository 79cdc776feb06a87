from django.contrib import admin
from django.urls import include, path

from glossary.api import api

# /healthz and /readyz are answered before the URLconf, by common.health.HealthCheckMiddleware.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", api.urls),
    path("oidc/", include("accounts.oidc_urls")),
    path("webhooks/", include("webhooks.urls")),
    path("", include("glossary.urls")),
]

# The 500 page shows the request's id, which Django's own (drawn without any context) cannot.
handler500 = "common.error_pages.server_error"
