from django.urls import path

from desk import api, views

app_name = "desk"

urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("desk/list/<slug:kind>/", views.desk_list, name="list"),
    path("desk/agencies/", views.performance_overview, name="performance"),
    path("desk/agencies/<slug:slug>/", views.agency_performance, name="agency"),
    path(
        "desk/jurisdictions/<str:code>/",
        views.jurisdiction_performance,
        name="jurisdiction",
    ),
    path("desk/follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("desk/follow-ups/<int:pk>/", views.follow_up_detail, name="follow_up_detail"),
    path("desk/settings/", views.desk_settings, name="settings"),
    path("desk/settings/calendar/new/", views.calendar_rotate, name="calendar_rotate"),
    path("desk/settings/calendar/off/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("api/desk/", api.DeskSummaryView.as_view(), name="api_desk"),
    path("api/me/", api.MeView.as_view(), name="api_me"),
]
