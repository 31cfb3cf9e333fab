from django.urls import path

from foia import views

app_name = "foia"

urlpatterns = [
    path("requests/", views.request_list, name="request_list"),
    path("requests/export.csv", views.request_export, name="request_export"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path(
        "requests/<int:pk>/status/",
        views.request_transition,
        name="request_transition",
    ),
    path(
        "requests/<int:pk>/communications/new/",
        views.communication_create,
        name="communication_create",
    ),
    path(
        "requests/<int:pk>/tracking-numbers/",
        views.tracking_number_create,
        name="tracking_number_create",
    ),
    path("requests/<int:pk>/fees/", views.fee_create, name="fee_create"),
    path("requests/<int:pk>/refer/", views.request_refer, name="request_refer"),
    path("requests/<int:pk>/appeals/new/", views.appeal_create, name="appeal_create"),
    path(
        "requests/<int:pk>/appeals/<int:appeal_pk>/decide/",
        views.appeal_decide,
        name="appeal_decide",
    ),
    path("requests/<int:pk>/letters/<slug:kind>/", views.letter, name="letter"),
    path(
        "requests/<int:pk>/letters/<slug:kind>/print/",
        views.letter_print,
        name="letter_print",
    ),
    path("agencies/", views.agency_list, name="agency_list"),
    path("public/requests/", views.public_request_list, name="public_request_list"),
    path(
        "public/requests/<int:pk>/",
        views.public_request_detail,
        name="public_request_detail",
    ),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency_detail"),
]
