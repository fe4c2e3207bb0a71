"""Debug is opt-in, and no error page or error email shows a password, a URL's credentials or a key."""

import os
import subprocess
import sys
import urllib.request

import pytest
from django.test import RequestFactory, override_settings
from django.views.debug import technical_500_response

from tests.conftest import ROOT, _manage, free_port, wait_for

PG_PASSWORD = "pg-s3cret-pw"
REDIS_PASSWORD = "redis-s3cret-pw"
API_KEY = "api-s3cret-key"


def environment(**overrides: str) -> dict[str, str]:
    """This process's environment without any DJANGO_DEBUG, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    env.update({"DJANGO_SETTINGS_MODULE": "oroint.settings", **overrides})
    return env


def setting(name: str, **env: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    done = subprocess.run([sys.executable, "-c", code], env=environment(**env), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_debug_is_off_unless_asked_for():
    assert setting("DEBUG") == "False"
    assert setting("DEBUG", DJANGO_DEBUG="1") == "True"


def test_commands_run_without_production_secrets_and_check_deploy_asks_for_them():
    env = environment(SECRET_KEY="", FIELD_ENCRYPTION_KEYS="")
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS"):
        env.pop(name)
    plain = subprocess.run(_manage("check"), env=env, capture_output=True, text=True, cwd=ROOT)
    deploy = subprocess.run(_manage("check", "--deploy"), env=env, capture_output=True, text=True, cwd=ROOT)
    assert plain.returncode == 0, plain.stderr
    assert deploy.returncode != 0
    assert "oroint.E001" in deploy.stderr and "oroint.E002" in deploy.stderr


def fail_with_secrets_in_scope():
    redis_url = f"redis://:{REDIS_PASSWORD}@redis.internal:6379/0"  # noqa: F841 (a local the page would show)
    api_key = API_KEY  # noqa: F841
    raise RuntimeError("boom")


@pytest.mark.django_db
def test_the_debug_page_shows_no_password_url_credentials_or_key(settings):
    settings.REDIS_URL = f"redis://:{REDIS_PASSWORD}@redis.internal:6379/0"
    settings.RQ_QUEUES = {name: {**q, "URL": settings.REDIS_URL} for name, q in settings.RQ_QUEUES.items()}
    settings.OROINT_BASE_URL = f"https://oroint:{PG_PASSWORD}@backoffice.example.test/"
    request = RequestFactory().post(
        "/admin/integrations/integration/1/change/",
        {"name": "Shop", "api_key": API_KEY},
        DATABASE_URL=f"postgres://oroint:{PG_PASSWORD}@db.internal:5432/oroint",  # runserver passes the environment
        SOME_DSN=f"https://key:{PG_PASSWORD}@sentry.example.test/1",
    )
    try:
        fail_with_secrets_in_scope()
    except RuntimeError:
        with override_settings(DEBUG=True):
            page = technical_500_response(request, *sys.exc_info()).content.decode()

    assert "boom" in page and "redis.internal" in page  # the page is there, and still useful
    for secret in (PG_PASSWORD, REDIS_PASSWORD, API_KEY):
        assert secret not in page, secret


def test_with_debug_off_static_files_are_still_served_for_the_demo(tmp_path):
    """script/server runs `runserver --insecure`: the admin keeps its styles with DJANGO_DEBUG=0."""
    port = free_port()
    log = (tmp_path / "runserver.log").open("wb")
    server = subprocess.Popen(
        _manage("runserver", "--insecure", "--noreload", f"127.0.0.1:{port}"),
        env=environment(DJANGO_DEBUG="0"),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )

    def get(path: str) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    try:
        wait_for(lambda: get("/admin/login/") == 200, timeout=30, message="runserver to answer")
        assert get("/static/integrations/admin.css") == 200
        assert get("/static/admin/css/base.css") == 200
        assert get("/no-such-page/") == 404  # a plain 404, not the debug page
    finally:
        server.terminate()
        server.wait(10)
