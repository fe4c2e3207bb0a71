"""Shared fixtures: a real Redis, real RQ worker processes, the Magento and OroCommerce simulators over HTTP."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings

from integrations.simulators.magento1.control import SimulatorControl
from integrations.simulators.orocommerce.control import OroCommerceControl

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url():
    """The Redis of the test run: REDIS_URL when it answers (script/test starts one), else our own."""
    url = os.environ.get("REDIS_URL", "")
    process = None
    if not (url and _redis_answers(url)):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("No Redis answers at REDIS_URL and no redis-server to start (apt-get install redis-server)")
        port = free_port()
        workdir = tempfile.mkdtemp(prefix="oroint-redis-")
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
            stdout=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        for _ in range(100):
            if _redis_answers(url):
                break
            time.sleep(0.05)
    # Use a database of its own so that a developer's queues are never flushed by the tests.
    url = url.rsplit("/", 1)[0] + "/9" if url.count("/") >= 3 else url + "/9"
    for queue in settings.RQ_QUEUES.values():
        queue["URL"] = url
    yield url
    if process is not None:
        process.terminate()
        process.wait(5)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def rq(redis_url):
    """A clean Redis for one test."""
    connection = redis.Redis.from_url(redis_url)
    connection.flushdb()
    yield connection
    connection.flushdb()


def worker_env(redis_url: str) -> dict[str, str]:
    """The environment of a worker process that shares the test database."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{db['NAME']}"
    else:
        auth = quote(db["USER"] or "")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"])
        database_url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = dict(os.environ)
    env.update({"DATABASE_URL": database_url, "REDIS_URL": redis_url, "PYTHONUNBUFFERED": "1"})
    # The tests' settings, so that workers know the fake connector too.
    env["DJANGO_SETTINGS_MODULE"] = os.environ.get("DJANGO_SETTINGS_MODULE") or "tests.settings"
    return env


def _manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


@pytest.fixture
def run_worker(transactional_db, rq, redis_url, tmp_path):
    """Run a real `manage.py rqworker --burst` process until the queues are empty."""

    def run(timeout: float = 300) -> subprocess.CompletedProcess:
        log = tmp_path / "worker.log"
        with log.open("ab") as out:
            done = subprocess.run(
                _manage("rqworker", *settings.RQ_QUEUES, "--burst"),
                env=worker_env(redis_url),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                cwd=ROOT,
            )
        assert done.returncode == 0, log.read_text()[-3000:]
        return done

    return run


@pytest.fixture
def start_worker(transactional_db, rq, redis_url, tmp_path):
    """Start real worker processes: `start_worker()`; each is stopped at the end of the test.

    A worker listens on every queue, unless given `queues` (as script/server's workers are).
    """
    started: list[subprocess.Popen] = []

    def start(own_session: bool = False, queues: tuple[str, ...] = ()) -> subprocess.Popen:
        log = tmp_path / f"worker-{len(started) + 1}.log"
        process = subprocess.Popen(
            _manage("rqworker", *(queues or settings.RQ_QUEUES)),
            env=worker_env(redis_url),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=own_session,  # so that a test can kill the worker and its work-horse
        )
        process.log = log
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def live_worker(start_worker):
    """A real worker process that runs for the whole test."""
    return start_worker()


def wait_for(predicate, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


class Simulator(SimulatorControl):
    """A running `manage.py magento_simulator` process, reached over HTTP like a real store."""

    def __init__(self, process: subprocess.Popen, port: int, user: str, key: str, log: Path) -> None:
        super().__init__(f"http://127.0.0.1:{port}")
        self.process, self.port, self.api_user, self.api_key, self.log = process, port, user, key, log
        self.wsdl_url = f"{self.url}/api/v2_soap/?wsdl=1"


def _spawn(command: list[str], log: Path, probe_url: str, what: str) -> subprocess.Popen:
    """Start a simulator process and wait until `probe_url` answers (its log shown if it exits first)."""
    import urllib.request

    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT)

    def answers():
        if process.poll() is not None:
            raise AssertionError(f"{what} exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(probe_url, timeout=2):
                return True
        except OSError:
            return False

    wait_for(answers, timeout=60, message=f"{what} to answer")
    return process


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def magento(tmp_path):
    """Start Magento simulators: `magento(customers=.., orders=.., mode=.., extra=(...))`."""
    started: list[Simulator] = []

    def start(customers=40, orders=150, mode="bridge", seed=3, extra=(), user="demo", key="demo-key-123"):
        port = free_port()
        log = tmp_path / f"simulator-{port}.log"
        args = ["--port", str(port), "--customers", str(customers), "--orders", str(orders), "--seed", str(seed)]
        args += ["--mode", mode, "--api-user", user, "--api-key", key, *extra]
        wsdl_url = f"http://127.0.0.1:{port}/api/v2_soap/?wsdl=1"
        process = _spawn(_manage("magento_simulator", *args), log, wsdl_url, "the Magento simulator")
        sim = Simulator(process, port, user, key, log)
        started.append(sim)
        return sim

    yield start
    _stop([sim.process for sim in started])


class OroCommerceSimulator(OroCommerceControl):
    """A running OroCommerce simulator process, reached over HTTP like a real store: `admin_url` is what a
    client is configured with (its API at `admin_url + "/api/"`), `url` the site root (`/oauth2-token`,
    `/_sim/*`: this object is also the control client)."""

    def __init__(self, process, port, user, key, oauth, log) -> None:
        super().__init__(f"http://127.0.0.1:{port}")
        self.process, self.port, self.log = process, port, log
        self.api_user, self.api_key = user, key
        self.oauth_client_id, self.oauth_client_secret = oauth or (None, None)
        self.admin_url = f"{self.url}/admin"

    @property
    def control(self) -> OroCommerceControl:
        return self


@pytest.fixture
def orocommerce(tmp_path):
    """Start OroCommerce simulators: `oro = orocommerce(orders=.., customers=.., seed=.., oauth=(id, secret),
    extra=(...))`; `oro.admin_url`, `oro.api_user`, `oro.api_key`, `oro.control.touch(...)`."""
    from integrations.simulators.orocommerce.server import DEFAULT_API_KEY

    started: list[OroCommerceSimulator] = []

    def start(orders=60, customers=12, seed=3, user="demo", key=DEFAULT_API_KEY, oauth=None, token_ttl=3600, extra=()):
        port = free_port()
        log = tmp_path / f"orocommerce-{port}.log"
        args = ["--port", str(port), "--orders", str(orders), "--customers", str(customers), "--seed", str(seed)]
        args += ["--api-user", user, "--api-key", key, "--token-ttl", str(token_ttl)]
        if oauth:
            args += ["--oauth-client-id", oauth[0], "--oauth-client-secret", oauth[1]]
        probe = f"http://127.0.0.1:{port}/_sim/stats"
        process = _spawn(_manage("orocommerce_simulator", *args, *extra), log, probe, "the OroCommerce simulator")
        sim = OroCommerceSimulator(process, port, user, key, oauth, log)
        started.append(sim)
        return sim

    yield start
    _stop([sim.process for sim in started])


@pytest.fixture
def http_server():
    """Local HTTP servers answering every GET with a given body: `url = http_server(body, type)`."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    servers = []

    def serve(body: bytes, content_type: str = "text/html") -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/api/v2_soap/?wsdl=1"

    yield serve
    for server in servers:
        server.shutdown()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached lookups (such as the order status filter's) must not leak from one test to another."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def hostile():
    """A hostile proxy in front of a server: `proxy = hostile(sim.url)`; `proxy.control.rules(...)`."""
    from integrations.simulators.hostile import HostileControl, start_proxy

    started = []

    def start(upstream: str):
        proxy = start_proxy(upstream)
        proxy.control = HostileControl(proxy.url)
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()
