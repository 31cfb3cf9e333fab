"""The requests and agencies API, included under /api/ by config/urls.py.

Plain ``path()`` routes rather than a router: the documents and search apps include
their own under the same prefix, and no app owns the /api/ root.
"""

from django.urls import path

from foia.api import AgencyViewSet, FoiaRequestViewSet

request_list = FoiaRequestViewSet.as_view({"get": "list", "post": "create"})
request_detail = FoiaRequestViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update"}
)
request_transition = FoiaRequestViewSet.as_view({"post": "transition"})
agency_list = AgencyViewSet.as_view({"get": "list", "post": "create"})
agency_detail = AgencyViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update"}
)

urlpatterns = [
    path("requests/", request_list, name="api-request-list"),
    path("requests/<int:pk>/", request_detail, name="api-request-detail"),
    path(
        "requests/<int:pk>/transition/",
        request_transition,
        name="api-request-transition",
    ),
    path("agencies/", agency_list, name="api-agency-list"),
    path("agencies/<slug:slug>/", agency_detail, name="api-agency-detail"),
]
