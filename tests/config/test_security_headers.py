"""Security headers and the Content Security Policy on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client, reporter):
    client.force_login(reporter)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_scripts_or_styles():
    """The policy forbids inline code, so no template may rely on it."""
    offenders = []
    for template in Path(ROOT, "templates").rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", text):
            offenders.append(f"{template}: inline <script>")
        if re.search(r"\sstyle=\"", text) or "<style" in text:
            offenders.append(f"{template}: inline style")
        if re.search(r"\son[a-z]+=\"", text) or "hx-on" in text:
            offenders.append(f"{template}: inline event handler")
    assert offenders == []
