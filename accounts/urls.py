from django.urls import path

from accounts.oidc_views import LoginPageView, ProviderLogoutView

urlpatterns = [
    path("login/", LoginPageView.as_view(), name="login"),
    path("logout/", ProviderLogoutView.as_view(), name="logout"),
]
