from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.forms import LoginForm
from accounts.views import ApiTokenRevokeView, ApiTokensView

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", ApiTokensView.as_view(), name="api_tokens"),
    path("tokens/<int:pk>/revoke/", ApiTokenRevokeView.as_view(), name="api_token_revoke"),
]
