"""Loaded with ``-p`` before Django starts, so settings see a test environment.

Each run gets its own media and index folders; tasks run inline (django-q2's sync
mode) except in tests that start a real cluster, which set ``Q_SYNC=0`` for the
worker process they spawn.
"""

import os
import tempfile

_run_dir = tempfile.mkdtemp(prefix="workbench-test-")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("Q_SYNC", "1")
os.environ.setdefault("MEDIA_ROOT", os.path.join(_run_dir, "media"))
os.environ.setdefault("SEARCH_INDEX_DIR", os.path.join(_run_dir, "index"))
os.environ.setdefault("OCR_DPI", "150")
# A test database of its own, so two test runs on one machine never collide.
if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    os.environ.setdefault("TEST_DATABASE_NAME", f"test_workbench_{os.getpid()}")
else:
    os.environ.setdefault("TEST_DATABASE_NAME", os.path.join(_run_dir, "test.sqlite3"))
# A cluster name of its own, so a worker of a running `make run` never takes the
# test run's tasks from a shared Redis.
os.environ.setdefault("Q_CLUSTER_NAME", f"workbench-test-{os.getpid()}")
