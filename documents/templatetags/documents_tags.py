from __future__ import annotations

import re

from django import template

register = template.Library()

_CODE = re.compile(r"^b([1-9])([a-f])?$")


@register.filter
def exemption_label(code: str) -> str:
    """``"b7c"`` as a reporter reads it: ``(b)(7)(C)``."""
    match = _CODE.match(str(code))
    if not match:
        return str(code)
    number, subparagraph = match.groups()
    return f"(b)({number})" + (f"({subparagraph.upper()})" if subparagraph else "")


@register.filter
def percent(value) -> str:
    return "" if value is None else f"{float(value):.0f}%"


@register.simple_tag
def upload_languages() -> list[tuple[str, str]]:
    from documents.forms import language_choices

    return language_choices()


@register.simple_tag
def upload_limit() -> str:
    from documents import conf, intake

    return intake.format_size(conf.upload_max_bytes())
