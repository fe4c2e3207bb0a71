"""/health/ tells a monitor whether the database, Redis, the workers and the scheduler are alive."""

import subprocess

import pytest
from django.conf import settings

from tests.conftest import ROOT, _manage, free_port, wait_for, worker_env

pytestmark = pytest.mark.django_db(transaction=True)


def health(client, query: str = ""):
    response = client.get(f"/health/{query}")
    return response.status_code, response.json(), response.content.decode()


def test_no_login_is_needed_and_a_missing_scheduler_is_a_503(client, live_worker, redis_url):
    wait_for(lambda: health(client)[1]["workers"]["ok"], timeout=30, message="the worker to register")

    status, body, text = health(client)

    assert status == 503 and body["ok"] is False
    assert body["database"] == {"ok": True} and body["redis"] == {"ok": True}
    assert body["workers"] == {"ok": True, "per_queue": dict.fromkeys(settings.RQ_QUEUES, 1)}
    assert body["scheduler"] == {"ok": False, "last_heartbeat": None}
    assert redis_url.split("://")[1].split("/")[0] not in text  # no host, no port, no URL


def test_everything_alive_is_a_200(client, live_worker, redis_url, tmp_path):
    log = (tmp_path / "rqcron.log").open("wb")
    scheduler = subprocess.Popen(
        _manage("rqcron", "oroint.cron"), env=worker_env(redis_url), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
    )
    try:
        wait_for(lambda: health(client)[0] == 200, timeout=60, message="every part to be alive")
        _, body, _ = health(client)
        assert body["ok"] is True and body["scheduler"]["ok"] is True and body["scheduler"]["last_heartbeat"]
    finally:
        scheduler.terminate()
        scheduler.wait(10)


def test_a_web_node_can_ask_about_what_it_needs_only(client, rq):
    status, body, _ = health(client, "?only=database,redis")
    assert status == 200 and set(body) == {"ok", "database", "redis"}

    status, body, _ = health(client, "?only=database,kitchen-sink")
    assert status == 400 and "kitchen-sink" in body["error"]


def test_redis_down_is_a_503_that_names_no_url_nor_password(client, settings):
    dead = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    settings.RQ_QUEUES = {name: {**queue, "URL": dead} for name, queue in settings.RQ_QUEUES.items()}

    status, body, text = health(client)

    assert status == 503
    assert body["redis"] == {"ok": False, "error": "ConnectionError"}
    assert body["workers"]["ok"] is False and body["scheduler"]["ok"] is False
    assert body["database"] == {"ok": True}
    assert "hunter2" not in text and "127.0.0.1" not in text
