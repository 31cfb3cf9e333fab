from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("documents/", views.document_list, name="document_list"),
    path("documents/upload/", views.upload, name="upload"),
    path("documents/<int:document_id>/", views.document_detail, name="document_detail"),
    path(
        "documents/<int:document_id>/progress/",
        views.document_progress,
        name="document_progress",
    ),
    path(
        "documents/<int:document_id>/original/",
        views.document_download,
        name="document_download",
    ),
    path(
        "documents/<int:document_id>/retry/",
        views.document_retry,
        name="document_retry",
    ),
    path(
        "documents/<int:document_id>/delete/",
        views.document_delete,
        name="document_delete",
    ),
    path(
        "documents/<int:document_id>/pages/retry/",
        views.pages_retry,
        name="pages_retry",
    ),
    path(
        "documents/<int:document_id>/pages/<int:number>/",
        views.page_detail,
        name="page_detail",
    ),
    path(
        "documents/<int:document_id>/pages/<int:number>/image/",
        views.page_image,
        name="page_image",
    ),
    path(
        "documents/<int:document_id>/pages/<int:number>/thumbnail/",
        views.page_thumbnail,
        name="page_thumbnail",
    ),
]
