from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/saved/", views.saved_search_create, name="saved_search_create"),
    path(
        "search/saved/<int:pk>/delete/",
        views.saved_search_delete,
        name="saved_search_delete",
    ),
    path(
        "search/notifications/seen/",
        views.notifications_seen,
        name="notifications_seen",
    ),
]
