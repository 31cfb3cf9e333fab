"""Reading search parameters from a request (pages and API alike)."""

from __future__ import annotations

from django import forms

from search.engine import FILTER_NAMES

FILTER_TITLES = {
    "agency": "Agency",
    "request": "Request",
    "year": "Year received",
    "exemption": "Exemption",
    "source": "Text source",
}


def filters_from(params) -> dict[str, list[str]]:
    """``{"agency": ["12"], ...}`` from GET or POST parameters (a QueryDict)."""
    filters: dict[str, list[str]] = {}
    for name in FILTER_NAMES:
        if name == "document":
            continue  # "search within a document" is its own parameter
        values = [value.strip() for value in params.getlist(name) if value.strip()]
        if values:
            filters[name] = values
    return filters


def positive_int(value, default: int, maximum: int | None = None) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    number = max(1, number)
    return min(number, maximum) if maximum else number


class SavedSearchForm(forms.Form):
    name = forms.CharField(max_length=120, required=False)
    q = forms.CharField(max_length=1000, required=False)
