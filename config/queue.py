"""Enqueueing background work the one safe way: after the transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue_on_commit(func: str, *args: Any, **kwargs: Any) -> None:
    """Queue ``func`` (a dotted path) once the surrounding transaction commits.

    A worker that picked the task up earlier could read rows that are not yet
    committed, or that a rollback is about to remove.
    """
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(func, *args, **kwargs))
