from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from accounts import views as account_views
from config import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/", include("foia.api_urls")),
    path("api/", include("search.api_urls")),
    path("api/", include("documents.api_urls")),
    path("", include("desk.urls")),
    path("", include("foia.urls")),
    path("", include("documents.urls")),
    path("", include("search.urls")),
    # Last: an address under /api/ that no endpoint took answers JSON, not HTML.
    re_path(r"^api/", api.NotFoundView.as_view()),
]
