from django.urls import path

from search import api

app_name = "search_api"

urlpatterns = [
    path("search/", api.SearchView.as_view(), name="search"),
]
