"""Reference data loaded by migrations: jurisdictions, holidays, agencies, letters.

The loaders take the model classes to fill, so a migration can pass its historical
models (``apps.get_model``) and a management command the current ones. They import
nothing from ``foia.models``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
JURISDICTIONS_PATH = DATA_DIR / "jurisdictions.json"
AGENCIES_PATH = DATA_DIR / "agencies.json"
LETTERS_DIR = DATA_DIR / "letters"


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _field_values(model, data: Mapping[str, Any]) -> dict[str, Any]:
    """Map JSON keys onto the model's fields of the same name.

    Lists become newline-joined text in text fields (``notes``); ``None`` in a
    field that cannot be null becomes the field's default or an empty string.
    Keys without a field of that name are left out.
    """
    values: dict[str, Any] = {}
    fields = {
        field.name: field
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False) and not field.is_relation
    }
    for key, value in data.items():
        field = fields.get(key)
        if field is None or field.primary_key:
            continue
        internal = field.get_internal_type()
        if isinstance(value, list | tuple) and internal in ("TextField", "CharField"):
            value = "\n".join(str(item) for item in value)
        if value is None and not field.null:
            value = field.get_default() if field.has_default() else ""
        values[key] = value
    return values


def load_jurisdictions(
    *, jurisdiction_model, holiday_model, path: Path | None = None
) -> list[str]:
    """Create or update every jurisdiction of ``jurisdictions.json`` and replace
    its holidays. Returns the codes loaded."""
    data = _read(path or JURISDICTIONS_PATH)
    codes = []
    for entry in data["jurisdictions"]:
        values = _field_values(jurisdiction_model, entry.get("rule", {}))
        values["name"] = entry["name"]
        jurisdiction, _ = jurisdiction_model.objects.update_or_create(
            code=entry["code"], defaults=values
        )
        holiday_model.objects.filter(jurisdiction=jurisdiction).delete()
        holiday_model.objects.bulk_create(
            holiday_model(jurisdiction=jurisdiction, **_field_values(holiday_model, h))
            for h in entry.get("holidays", [])
        )
        codes.append(jurisdiction.code)
    return codes


def load_agencies(
    *, agency_model, jurisdiction_model, path: Path | None = None
) -> list[str]:
    """Create or update the agencies of ``agencies.json``, parents first.

    An agency whose jurisdiction is not loaded is skipped. Returns the slugs.
    """
    data = _read(path or AGENCIES_PATH)
    jurisdictions = {j.code: j for j in jurisdiction_model.objects.all()}
    slugs = []
    for entry in data["agencies"]:
        jurisdiction = jurisdictions.get(entry["jurisdiction"])
        if jurisdiction is None:
            continue
        values = _field_values(agency_model, entry)
        values.pop("slug", None)
        values["jurisdiction"] = jurisdiction
        parent_slug = entry.get("parent")
        values["parent"] = (
            agency_model.objects.get(slug=parent_slug) if parent_slug else None
        )
        agency_model.objects.update_or_create(slug=entry["slug"], defaults=values)
        slugs.append(entry["slug"])
    return slugs


def load_letter_templates(
    *, template_model, jurisdiction_model, directory: Path | None = None
) -> int:
    """Create the seeded letter templates that do not exist yet; edits are kept.

    ``letters/index.json`` lists {kind, jurisdiction (code or null), name, subject,
    file}; the body is the named text file.
    """
    directory = directory or LETTERS_DIR
    index = _read(directory / "index.json")
    created = 0
    for entry in index["templates"]:
        jurisdiction = None
        if entry["jurisdiction"]:
            jurisdiction = jurisdiction_model.objects.filter(
                code=entry["jurisdiction"]
            ).first()
            if jurisdiction is None:
                continue
        _, was_created = template_model.objects.get_or_create(
            kind=entry["kind"],
            jurisdiction=jurisdiction,
            defaults={
                "name": entry["name"],
                "subject": entry["subject"],
                "body": (directory / entry["file"]).read_text(encoding="utf-8"),
            },
        )
        created += was_created
    return created
