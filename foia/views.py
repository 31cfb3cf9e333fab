from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def request_list(request: HttpRequest) -> HttpResponse:
    return render(request, "foia/request_list.html")


def agency_list(request: HttpRequest) -> HttpResponse:
    return render(request, "foia/agency_list.html")


def desk(request: HttpRequest) -> HttpResponse:
    return render(request, "foia/desk.html")
