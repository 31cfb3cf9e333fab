from django.urls import path

from foia import views

app_name = "foia"

urlpatterns = [
    path("requests/", views.request_list, name="request_list"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("desk/", views.desk, name="desk"),
]
