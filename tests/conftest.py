"""Shared fixtures: the newsroom's people, and a real worker cluster when needed."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from foia import roles

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"


def pytest_collection_modifyitems(config, items):
    """Browser journeys run last: they are the slowest and need the most set-up."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing passwords the production way costs over half a second per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _make_user(django_user_model, username: str, role: str | None, **extra):
    user = django_user_model.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=username.capitalize(),
        email=f"{username}@newsroom.example",
        **extra,
    )
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def reporter(django_user_model):
    return _make_user(django_user_model, "rita", roles.REPORTER)


@pytest.fixture
def other_reporter(django_user_model):
    return _make_user(django_user_model, "otto", roles.REPORTER)


@pytest.fixture
def editor(django_user_model):
    return _make_user(django_user_model, "ed", roles.EDITOR)


@pytest.fixture
def researcher(django_user_model):
    return _make_user(django_user_model, "rosa", roles.RESEARCHER)


@pytest.fixture
def outsider(django_user_model):
    """Signed in, but in no role of the newsroom."""
    return _make_user(django_user_model, "oscar", None)


@pytest.fixture
def admin_user(django_user_model):
    return _make_user(
        django_user_model, "ada", roles.ADMIN, is_staff=True, is_superuser=True
    )


def _test_database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def wait_for(predicate, *, timeout: float, interval: float = 0.25, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def worker_cluster(transactional_db) -> Iterator[subprocess.Popen]:
    """A real `manage.py qcluster` on the test database, stopped afterwards.

    Needs committed data (``transactional_db``): the worker is another process.
    """
    from config.health import check_worker

    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "Q_SYNC": "0",
        "WORKERS": "2",
    }
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:

        def ready() -> bool:
            alive, details = check_worker()
            return process.poll() is not None or (alive and details["workers"] > 0)

        wait_for(ready, timeout=60, what="the worker cluster's first heartbeat")
        if process.poll() is not None:
            raise AssertionError(
                "the worker cluster exited: " + process.stderr.read().decode()[-2000:]
            )
        yield process
    finally:
        _stop_process_group(process)


def _stop_process_group(process: subprocess.Popen) -> None:
    import signal

    if process.poll() is None:
        # The cluster's main process stops its workers itself; signalling the
        # whole group at once would make it try to replace them.
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
