"""Housekeeping only: a stored file goes when its row goes (after commit)."""

from __future__ import annotations

from documents.services import stored_files_delete_on_commit


def delete_original(sender, instance, **kwargs) -> None:
    # The same bytes are stored once (sha256 is unique), so no other row uses it.
    stored_files_delete_on_commit(instance.original.name)


def delete_page_files(sender, instance, **kwargs) -> None:
    stored_files_delete_on_commit(instance.thumbnail.name, instance.preview.name)
