"""Settings come from the environment; bad values stop start-up with a sentence."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SETUP = "import django; django.setup(); print('started')"


def start_django(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SEARCH_BACKEND"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", SETUP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_default_settings_start():
    result = start_django()
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a yes/no value"),
        ({"WORKERS": "many"}, "WORKERS='many' is not a whole number"),
        ({"WORKERS": "0"}, "WORKERS=0 is below the minimum 1"),
        ({"OCR_DPI": "20000"}, "OCR_DPI=20000 is above the maximum 1200"),
        ({"SEARCH_BACKEND": "elastic"}, "SEARCH_BACKEND='elastic' is not one of"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL must be a"),
        ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL='127.0.0.1:6379' must start"),
        (
            {"SEARCH_BACKEND": "postgres"},
            "SEARCH_BACKEND=postgres needs DATABASE_URL",
        ),
        ({"DEBUG": "0", "SECRET_KEY": ""}, "SECRET_KEY must be set when DEBUG is off"),
        ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "SECRET_KEY_FILE points at"),
    ],
)
def test_bad_setting_stops_start_up_with_a_clear_error(overrides, message):
    result = start_django(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-" + "x" * 50 + "\n")
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY)"
    )
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY_FILE": str(secret)}
    env.pop("SECRET_KEY", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-a-file-" + "x" * 50


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "production-like-" + "k3y" * 20,
        "ALLOWED_HOSTS": "workbench.example.org",
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
