from django.urls import path

from accounts.oidc_views import LoginPageView, ProviderLogoutView
from accounts.views import ApiTokenRevokeView, ApiTokensView, FeedTokenCreateView, FeedTokenRevokeView

urlpatterns = [
    path("login/", LoginPageView.as_view(), name="login"),
    path("logout/", ProviderLogoutView.as_view(), name="logout"),
    path("tokens/", ApiTokensView.as_view(), name="api_tokens"),
    path("tokens/<int:pk>/revoke/", ApiTokenRevokeView.as_view(), name="api_token_revoke"),
    path("tokens/feed/", FeedTokenCreateView.as_view(), name="feed_token_create"),
    path("tokens/feed/<int:pk>/revoke/", FeedTokenRevokeView.as_view(), name="feed_token_revoke"),
]
