"""Keep the index in step when what it records about a page changes.

Housekeeping only: a change to a request's visibility, embargo, status, title,
agency, requester, collaborators or tags, to a document's title, request or
uploader, to the requests a document is linked to, or to an agency's parent
queues a reindex of the pages concerned after the transaction commits; a
deleted document leaves the index. Bulk
``QuerySet.update()`` calls send no signals: code that uses them calls
``search.reindex_request`` itself.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

REQUEST_FIELDS = (
    "title",
    "agency_id",
    "requester_id",
    "visibility",
    "status",
    "embargo_until",
)
DOCUMENT_FIELDS = ("title", "request_id", "uploaded_by_id", "communication_id")


def enqueue(task: str, *args) -> None:
    """Queue ``search.tasks.<task>(*args)`` after the transaction commits.

    The tasks are idempotent, so a request saved twice is reindexed twice
    rather than risking a missed reindex.
    """

    def send() -> None:
        from django_q.tasks import async_task

        async_task(f"search.tasks.{task}", *args, group="search")

    transaction.on_commit(send)


def _snapshot(instance, fields) -> tuple:
    return tuple(getattr(instance, field) for field in fields)


def _remember_previous(sender, instance, fields, **kwargs) -> None:
    if instance.pk is None or kwargs.get("raw"):
        instance._search_previous = None
        return
    previous = sender.objects.filter(pk=instance.pk).values_list(*fields).first()
    instance._search_previous = previous


def _changed(instance, fields) -> bool:
    previous = getattr(instance, "_search_previous", None)
    return previous is not None and tuple(previous) != _snapshot(instance, fields)


def request_pre_save(sender, instance, **kwargs) -> None:
    _remember_previous(sender, instance, REQUEST_FIELDS, **kwargs)


def request_post_save(sender, instance, created, **kwargs) -> None:
    if not created and _changed(instance, REQUEST_FIELDS):
        enqueue("reindex_request_task", instance.pk)


def request_people_or_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from foia.models import FoiaRequest

    if not reverse:
        enqueue("reindex_request_task", instance.pk)
    elif action == "post_clear":
        # The user or tag is gone from every request: rare, and the ids are lost.
        return
    else:
        for request_id in FoiaRequest.objects.filter(pk__in=pk_set).values_list(
            "pk", flat=True
        ):
            enqueue("reindex_request_task", request_id)


def request_post_delete(sender, instance, **kwargs) -> None:
    # Its documents lose their request (or link): who may see them changes.
    enqueue("reindex_request_task", instance.pk)


def link_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    enqueue("index_document_task", instance.document_id, False)


def document_pre_save(sender, instance, **kwargs) -> None:
    _remember_previous(sender, instance, DOCUMENT_FIELDS, **kwargs)


def document_post_save(sender, instance, created, **kwargs) -> None:
    if not created and _changed(instance, DOCUMENT_FIELDS):
        enqueue("index_document_task", instance.pk, False)


def document_post_delete(sender, instance, **kwargs) -> None:
    enqueue("remove_document_task", instance.pk)


def agency_pre_save(sender, instance, **kwargs) -> None:
    _remember_previous(sender, instance, ("parent_id",), **kwargs)


def agency_post_save(sender, instance, created, **kwargs) -> None:
    if not created and _changed(instance, ("parent_id",)):
        enqueue("reindex_agency_task", instance.pk)


def connect() -> None:
    from documents.models import Document, DocumentLink
    from foia.models import Agency, FoiaRequest

    uid = "search."
    pre_save.connect(request_pre_save, FoiaRequest, dispatch_uid=uid + "rq-pre")
    post_save.connect(request_post_save, FoiaRequest, dispatch_uid=uid + "rq-post")
    post_delete.connect(request_post_delete, FoiaRequest, dispatch_uid=uid + "rq-del")
    post_save.connect(link_changed, DocumentLink, dispatch_uid=uid + "link-save")
    post_delete.connect(link_changed, DocumentLink, dispatch_uid=uid + "link-del")
    for through in (FoiaRequest.collaborators.through, FoiaRequest.tags.through):
        m2m_changed.connect(
            request_people_or_tags_changed,
            through,
            dispatch_uid=f"{uid}m2m-{through._meta.label}",
        )
    pre_save.connect(document_pre_save, Document, dispatch_uid=uid + "doc-pre")
    post_save.connect(document_post_save, Document, dispatch_uid=uid + "doc-post")
    post_delete.connect(document_post_delete, Document, dispatch_uid=uid + "doc-del")
    pre_save.connect(agency_pre_save, Agency, dispatch_uid=uid + "agency-pre")
    post_save.connect(agency_post_save, Agency, dispatch_uid=uid + "agency-post")
