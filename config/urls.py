from django.contrib import admin
from django.urls import include, path

from glossary.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", api.urls),
    path("oidc/", include("accounts.oidc_urls")),
    path("webhooks/", include("glossary.webhooks.urls")),
    path("", include("glossary.urls")),
]
