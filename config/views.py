from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.health import run_checks


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, checks = run_checks()
    failing = [name for name, result in checks.items() if not result["ok"]]
    body = {
        "status": "ok" if healthy else "unhealthy",
        "reason": (
            "; ".join(f"{name}: {checks[name]['error']}" for name in failing)
            if failing
            else ""
        ),
        "checks": checks,
    }
    return JsonResponse(body, status=200 if healthy else 503)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")
