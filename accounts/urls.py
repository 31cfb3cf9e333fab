from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/tokens/", views.token_create, name="token_create"),
    path(
        "account/tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="token_revoke",
    ),
    path("access-log/", views.access_log, name="access_log"),
]
