from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.EndpointListView.as_view(), name="list"),
    path("add/", views.EndpointAddView.as_view(), name="add"),
    path("<int:pk>/", views.EndpointDetailView.as_view(), name="detail"),
    path("<int:pk>/test/", views.EndpointTestView.as_view(), name="test"),
    path("<int:pk>/pause/", views.EndpointPauseView.as_view(), name="pause"),
    path("<int:pk>/resume/", views.EndpointResumeView.as_view(), name="resume"),
    path("<int:pk>/delete/", views.EndpointDeleteView.as_view(), name="delete"),
    path("<int:pk>/secret/", views.EndpointSecretView.as_view(), name="secret"),
]
