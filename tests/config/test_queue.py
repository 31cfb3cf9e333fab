"""Background work goes through the real broker to a real worker, after commit."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction
from django_q.brokers import get_broker
from django_q.models import Success

from config.queue import enqueue_on_commit
from tests.conftest import wait_for


@pytest.mark.cluster
def test_task_enqueued_on_commit_is_run_by_the_cluster(worker_cluster):
    token = uuid.uuid4().hex
    broker = get_broker()
    with transaction.atomic():
        enqueue_on_commit("config.tasks.ping", token, task_name=f"ping-{token}")
        # Nothing reaches the broker while the transaction is open.
        assert broker.queue_size() == 0
    task = wait_for(
        lambda: Success.objects.filter(name=f"ping-{token}").first(),
        timeout=60,
        what="the worker to run the ping task",
    )
    assert task.result == token
    assert task.func == "config.tasks.ping"


@pytest.mark.django_db(transaction=True)
def test_task_is_never_enqueued_when_the_transaction_rolls_back():
    token = uuid.uuid4().hex
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit("config.tasks.ping", token, task_name=f"ping-{token}")
        raise RuntimeError("the write failed")
    assert get_broker().queue_size() == 0
    assert not Success.objects.filter(name=f"ping-{token}").exists()
