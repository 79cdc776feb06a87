from django.urls import path

from accounts.oidc_views import OidcCallbackView, OidcLoginStartView

# mozilla-django-oidc reverses the callback by this name to build the redirect URI.
urlpatterns = [
    path("authenticate/", OidcLoginStartView.as_view(), name="oidc_authentication_init"),
    path("callback/", OidcCallbackView.as_view(), name="oidc_authentication_callback"),
]
