"""The documents API, included under /api/ by config/urls.py."""

from django.urls import path

from documents import api

urlpatterns = [
    path("documents/", api.DocumentListCreateApi.as_view(), name="api-document-list"),
    path(
        "documents/<int:pk>/",
        api.DocumentDetailApi.as_view(),
        name="api-document-detail",
    ),
    path(
        "documents/<int:pk>/pages/",
        api.DocumentPagesApi.as_view(),
        name="api-document-pages",
    ),
    path(
        "documents/<int:pk>/retry/",
        api.DocumentRetryApi.as_view(),
        name="api-document-retry",
    ),
]
