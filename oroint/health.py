"""GET /health/: whether the database, Redis, the workers and the scheduler are alive, for a monitor.

No login: a load balancer or a monitor asks. It therefore says nothing secret: no URL, host, worker
name or error message, only what is up, counts and times. 200 when every part asked about is alive,
503 otherwise; `?only=database,redis` asks about some parts only (a web node needs no worker).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rq import Queue, Worker
from rq.cron_scheduler_registry import get_registry_key
from rq.defaults import DEFAULT_CRON_SCHEDULER_TTL

TIMEOUT_SECONDS = 2


def _redis(queue_name: str) -> redis.Redis:
    # A client of its own with short timeouts: a health check that hangs tells a monitor nothing.
    return redis.Redis.from_url(
        settings.RQ_QUEUES[queue_name]["URL"], socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )


def database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def redis_queues() -> dict[str, Any]:
    try:
        for name in settings.RQ_QUEUES:
            _redis(name).ping()
    except redis.RedisError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def workers() -> dict[str, Any]:
    """Workers listening on each queue (RQ's worker registry; a worker that died leaves it within minutes)."""
    try:
        counts = {name: len(Worker.all(queue=Queue(name, connection=_redis(name)))) for name in settings.RQ_QUEUES}
    except redis.RedisError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": all(counts.values()), "per_queue": counts}


def scheduler() -> dict[str, Any]:
    """The rqcron scheduler: alive while it beats in RQ's cron scheduler registry (every minute or less)."""
    try:
        newest = _redis("default").zrevrange(get_registry_key(), 0, 0, withscores=True)
    except redis.RedisError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    if not newest:
        return {"ok": False, "last_heartbeat": None}
    beat = newest[0][1]
    return {
        "ok": time.time() - beat < DEFAULT_CRON_SCHEDULER_TTL,
        "last_heartbeat": datetime.datetime.fromtimestamp(beat, tz=datetime.UTC).isoformat(),
    }


PARTS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": database,
    "redis": redis_queues,
    "workers": workers,
    "scheduler": scheduler,
}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    asked = [p.strip() for p in request.GET.get("only", "").split(",") if p.strip()] or list(PARTS)
    unknown = [p for p in asked if p not in PARTS]
    if unknown:
        return JsonResponse({"error": f"unknown part(s): {', '.join(unknown)}", "parts": list(PARTS)}, status=400)
    report = {part: PARTS[part]() for part in asked}
    ok = all(answer["ok"] for answer in report.values())
    return JsonResponse({"ok": ok, **report}, status=200 if ok else 503)
