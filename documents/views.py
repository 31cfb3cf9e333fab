from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def document_list(request: HttpRequest) -> HttpResponse:
    return render(request, "documents/document_list.html")
