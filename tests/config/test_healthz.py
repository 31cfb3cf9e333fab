"""/healthz tells an operator what is up and what is not."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for


def healthz(client):
    response = client.get("/healthz")
    return response.status_code, response.json()


@pytest.mark.django_db
def test_healthz_is_503_naming_the_worker_when_no_cluster_runs(client):
    status, body = healthz(client)
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["checks"]["worker"]["ok"] is False
    assert "worker: no worker cluster has sent a heartbeat" in body["reason"]
    for name in ("database", "broker", "search_index", "tesseract", "poppler"):
        assert body["checks"][name]["ok"] is True, body["checks"][name]


@pytest.mark.cluster
def test_healthz_is_200_with_a_live_worker(client, worker_cluster):
    status, body = healthz(client)
    assert status == 200, body
    assert body["status"] == "ok"
    assert body["reason"] == ""
    assert body["checks"]["worker"]["clusters"] >= 1
    assert body["checks"]["worker"]["workers"] == 2
    assert body["checks"]["tesseract"]["version"][0].isdigit()
    assert body["checks"]["poppler"]["version"][0].isdigit()


@pytest.mark.cluster
def test_healthz_turns_503_once_the_worker_stops(client, worker_cluster):
    assert healthz(client)[0] == 200
    worker_cluster.terminate()
    worker_cluster.wait(timeout=30)
    status, body = wait_for(
        lambda: (result := healthz(client))[0] == 503 and result,
        timeout=30,
        what="healthz to notice the stopped worker",
    )
    assert body["checks"]["worker"]["ok"] is False


@pytest.mark.django_db
def test_healthz_reports_an_unwritable_index_directory(client, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the index folder should be")
    settings.SEARCH_INDEX_DIR = blocker / "index"
    status, body = healthz(client)
    assert status == 503
    assert body["checks"]["search_index"]["ok"] is False
    assert "search_index: search index directory not writable" in body["reason"]
