"""The nine FOIA exemptions of 5 U.S.C. 552(b), as codes an appeal can contest.

Codes are the ones ``documents.exemptions`` stores per page: ``"b6"``, ``"b7c"``.
"""

from __future__ import annotations

import re

EXEMPTIONS: dict[str, str] = {
    "b1": "classified national defense or foreign policy information",
    "b2": "internal personnel rules and practices",
    "b3": "information exempted by another statute",
    "b4": "trade secrets and confidential commercial information",
    "b5": "inter- or intra-agency privileged memoranda",
    "b6": "personal privacy in personnel, medical and similar files",
    "b7": "records compiled for law enforcement purposes",
    "b7a": "law enforcement: interference with enforcement proceedings",
    "b7b": "law enforcement: deprivation of a fair trial",
    "b7c": "law enforcement: personal privacy",
    "b7d": "law enforcement: confidential sources",
    "b7e": "law enforcement: techniques, procedures and guidelines",
    "b7f": "law enforcement: life or physical safety",
    "b8": "reports of financial institutions' regulators",
    "b9": "geological and geophysical information about wells",
}

_CODE = re.compile(
    r"^\s*(?:5\s*U\.?S\.?C\.?\s*(?:§\s*)?552)?\s*"
    r"(?:exemption\s*)?\(?b?\)?\s*\(?([1-9])\)?\s*\(?([a-f])?\)?\s*$",
    re.IGNORECASE,
)


def normalize_exemption(text: str) -> str:
    """``"(b)(7)(C)"``, ``"b7C"``, ``"7(C)"`` or ``"Exemption 6"`` to a code.

    Raises ``ValueError`` naming the input when it is not a FOIA exemption.
    """
    match = _CODE.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a FOIA exemption such as (b)(6) or b7C")
    number, letter = match.groups()
    code = f"b{number}{(letter or '').lower()}" if number == "7" else f"b{number}"
    if code not in EXEMPTIONS:
        raise ValueError(f"{text!r} is not a FOIA exemption such as (b)(6) or b7C")
    return code


def exemption_citation(code: str) -> str:
    """``"b7c"`` to ``"(b)(7)(C)"``."""
    number = code[1]
    letter = code[2:].upper()
    return f"(b)({number})" + (f"({letter})" if letter else "")


def exemption_label(code: str) -> str:
    """A federal code with its meaning; a state law's citation as it was given."""
    if code not in EXEMPTIONS:
        return code
    return f"{exemption_citation(code)}, {EXEMPTIONS[code]}"
