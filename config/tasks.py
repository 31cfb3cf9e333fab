"""Tasks that belong to the installation as a whole."""

from __future__ import annotations


def ping(token: str) -> str:
    """Echo ``token``: proves a task went through the broker and a worker."""
    return token
