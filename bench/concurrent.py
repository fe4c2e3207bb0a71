"""Concurrent admins: 50 logged-in admins browsing through gunicorn while a sync runs.

The tables hold the admin benchmark's 1,000,000 orders (Context.admin_data). gunicorn serves
`oroint.wsgi` with sync workers on a loopback port, as README's Deployment section runs it
(DATABASE_CONN_MAX_AGE=60 for the web server), in the environment of every benchmark
(DJANGO_DEBUG=0, the same database and Redis). A first sync of a store of 5,000 customers and
20,000 orders runs twice through the one RQ worker, each time into a new integration: once with
no admin browsing, then with the admins browsing from the moment it is enqueued until it ends.

Each admin is a thread of this process with its own `requests.Session`, logged in through
/admin/login/ with the form's CSRF token: a staff user in a group with the view permission on the
channels models and granted the view permission on the integrations (django-guardian,
`integrations.permissions.grant`), or a superuser with `--superusers`. It requests the pages admins
use, in turn, each thread starting at its own place in the list: the order and customer change
lists, an order page (a random one of 1,000), the syncing integration's page, the run's progress
page and its status JSON; with no pause, or a random one of 0 to 2x `--think` seconds. HTML only:
a browser would fetch the static files from the reverse proxy. A client stops when the sync ends,
after MAX_REQUESTS requests or after MAX_SECONDS, whichever comes first; an answer other than 200
(a redirect to the login page included) or none within REQUEST_TIMEOUT is an error.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from bench import common

if TYPE_CHECKING:
    from bench.__main__ import Context

STORE = (5_000, 20_000)  # the synced store: customers, orders (--quick: a tenth)
MAX_REQUESTS = 10_000  # per client
MAX_SECONDS = 1_800  # the load stops by itself after this long, sync over or not
REQUEST_TIMEOUT = 120
ORDER_PAGES = 1_000  # the order pages picked from
PASSWORD = "bench-load-password-1"
TARGET_MS = 200
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

Samples = dict[str, list[tuple[float, int | str]]]  # page -> [(ms, HTTP status or error name)]


def create_admins(count: int, integrations: list[Any], *, superusers: bool) -> list[str]:
    """`count` users who may browse `integrations` and their records; their usernames.

    Staff users are set up as an admin sets up a viewer: a group with the view permission on the
    channels models (what the record pages ask for) and the object permission to view each
    integration (whose records). One password hash for all of them: hashing is slow on purpose.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, Permission

    from integrations.permissions import grant

    user_model = get_user_model()
    hashed = make_password(PASSWORD)
    users = user_model.objects.bulk_create(
        user_model(
            username=f"bench-load-{i}",
            email=f"load{i}@example.com",
            is_staff=True,
            is_superuser=superusers,
            password=hashed,
        )
        for i in range(count)
    )
    if not superusers:
        viewers = Group.objects.create(name="Bench viewers")
        viewers.permissions.set(
            Permission.objects.filter(content_type__app_label="channels", codename__startswith="view_")
        )
        for user in users:
            user.groups.add(viewers)
            for integration in integrations:
                grant(user, integration, ("view",))
    return [user.username for user in users]


def login(base_url: str, username: str) -> requests.Session:
    """A session logged in through the admin's login form, as a browser does it."""
    session = requests.Session()
    form = session.get(f"{base_url}/admin/login/?next=/admin/", timeout=REQUEST_TIMEOUT)
    token = CSRF_INPUT.search(form.text)
    if form.status_code != 200 or token is None:
        raise RuntimeError(f"GET /admin/login/ answered HTTP {form.status_code} without a CSRF token")
    answer = session.post(
        f"{base_url}/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD, "next": "/admin/"},
        timeout=REQUEST_TIMEOUT,
        allow_redirects=False,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"logging in as {username} answered HTTP {answer.status_code}")
    return session


@dataclass
class Load:
    """The admins' loop: started with the run to watch, stopped when the sync ends (or by its bounds)."""

    base_url: str
    sessions: list[requests.Session]
    order_ids: list[int]
    integration_id: int
    think: float = 0.0
    samples: list[Samples] = field(default_factory=list)  # one per client thread: no lock on the hot path
    started: float = 0.0
    ended: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def pages(self, run_id: int) -> list[tuple[str, Any]]:
        """(label, a function giving the next URL to request) for each page, in the order requested."""
        order_ids, integration_id = self.order_ids, self.integration_id
        return [
            ("orders: change list", lambda: "/admin/channels/order/"),
            ("customers: change list", lambda: "/admin/channels/customer/"),
            ("order page", lambda: f"/admin/channels/order/{random.choice(order_ids)}/change/"),
            ("integration page", lambda: f"/admin/integrations/integration/{integration_id}/change/"),
            ("sync run: progress page", lambda: f"/admin/integrations/syncrun/{run_id}/change/"),
            ("sync run: status JSON", lambda: f"/admin/integrations/syncrun/{run_id}/status/"),
        ]

    def warm_up(self) -> None:
        """One request of each page that needs no run, per session: each gunicorn worker's first
        requests load templates and fill caches, which is not what is measured."""
        urls = [url() for _, url in self.pages(0)[:4]]
        with ThreadPoolExecutor(len(self.sessions)) as pool:
            list(
                pool.map(
                    lambda session: [session.get(f"{self.base_url}{url}", timeout=REQUEST_TIMEOUT) for url in urls],
                    self.sessions,
                )
            )

    def start(self, run) -> None:
        pages = self.pages(run.pk)
        self.started = time.monotonic()
        for index, session in enumerate(self.sessions):
            samples: Samples = defaultdict(list)
            self.samples.append(samples)
            thread = threading.Thread(
                target=self._client, args=(session, pages, index, samples), name=f"admin-{index}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _client(self, session: requests.Session, pages, index: int, samples: Samples) -> None:
        deadline = self.started + MAX_SECONDS
        pause = random.Random(index)
        for n in range(MAX_REQUESTS):
            if self._stop.is_set() or time.monotonic() > deadline:
                break
            label, url = pages[(index + n) % len(pages)]
            started = time.perf_counter()
            try:
                status: int | str = session.get(
                    f"{self.base_url}{url()}", timeout=REQUEST_TIMEOUT, allow_redirects=False
                ).status_code
            except requests.RequestException as error:
                status = type(error).__name__
            samples[label].append(((time.perf_counter() - started) * 1000, status))
            if self.think:
                self._stop.wait(pause.uniform(0, 2 * self.think))

    def stop(self) -> None:
        """Tell the clients to stop and wait for their requests in flight."""
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self.ended = time.monotonic()

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    def results(self) -> dict[str, dict[str, Any]]:
        merged: Samples = defaultdict(list)
        for samples in self.samples:
            for label, values in samples.items():
                merged[label].extend(values)
        results = {label: _summary(merged[label]) for label, _ in self.pages(0)}
        results["all pages"] = _summary([value for values in merged.values() for value in values])
        return results


def _summary(values: list[tuple[float, int | str]]) -> dict[str, Any]:
    timings = [ms for ms, _ in values]
    errors: dict[str, int] = defaultdict(int)
    for _, status in values:
        if status != 200:
            errors[str(status)] += 1
    return {
        "requests": len(values),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "median_ms": common.median(timings),
        "p95_ms": common.percentile(timings, 0.95),
        "max_ms": max(timings, default=0.0),
    }


def order_sample(integration, count: int) -> list[int]:
    """Up to `count` ids of the integration's orders, spread over the table."""
    from django.db.models import Max, Min

    from channels.models import Order

    orders = Order.objects.filter(integration=integration)
    bounds = orders.aggregate(low=Min("pk"), high=Max("pk"))
    rng = random.Random(1)
    candidates = {rng.randint(bounds["low"], bounds["high"]) for _ in range(count * 2)}
    return sorted(orders.filter(pk__in=candidates).values_list("pk", flat=True))[:count]


def run(context: Context) -> dict[str, Any]:
    options = context.web_load
    data = context.admin_data()
    scale = 10 if context.sizes.quick else 1
    customers, orders = STORE[0] // scale, STORE[1] // scale
    sim = context.simulator(customers, orders)
    worker = context.worker()
    quiet = common.create_integration(f"Bench load {customers}+{orders}, no admins", sim.wsdl_url)
    loaded = common.create_integration(f"Bench load {customers}+{orders}, {options.clients} admins", sim.wsdl_url)
    who = "superusers" if options.superusers else "staff viewers"
    common.log(f"concurrent: {options.clients} {who}")
    usernames = create_admins(options.clients, [data["integration"], quiet, loaded], superusers=options.superusers)

    common.log(f"concurrent: gunicorn with {options.web_workers} workers")
    web = common.Gunicorn(workers=options.web_workers, env={"DATABASE_CONN_MAX_AGE": str(options.conn_max_age)})
    context.processes.append(web)
    common.log(f"concurrent: {options.clients} admins log in")
    with ThreadPoolExecutor(options.clients) as pool:
        sessions = list(pool.map(lambda name: login(web.url, name), usernames))
    load = Load(
        base_url=web.url,
        sessions=sessions,
        order_ids=order_sample(data["integration"], ORDER_PAGES),
        integration_id=loaded.pk,
        think=options.think,
    )
    load.warm_up()

    # This process: the admins' threads (and the loop that waits for the run), not its children.
    cpu = {
        "cpu_roots": {
            "gunicorn": web.pid,
            "postgres": common.postgres_root() or 0,
            "simulator": sim.pid,
            "admins": os.getpid(),
        },
        "cpu_alone": ("admins",),
    }
    common.log(f"concurrent: a sync of {customers + orders:,} records, no admin browsing")
    alone = common.run_sync(quiet, worker, label="sync, no admins", **cpu)

    common.log(f"concurrent: the same sync with {options.clients} admins browsing")
    with common.TreeSampler(web.pid) as web_memory:
        try:
            busy = common.run_sync(loaded, worker, label="sync, admins browsing", on_enqueued=load.start, **cpu)
        finally:
            load.stop()
    pages = load.results()
    throughput = pages["all pages"]["requests"] / load.seconds if load.seconds else 0.0
    pause = f"a random pause of 0 to {2 * options.think:g} s between requests" if options.think else "no pause"
    common.table(
        f"{options.clients} admins ({who}, {pause}) through gunicorn ({options.web_workers} sync workers) "
        f"during a sync, {data['orders']:,} orders in the tables",
        ["page", "requests", "errors", "median ms", "p95 ms", "max ms"],
        [
            [
                label,
                common.number(r["requests"]),
                common.number(r["errors"]),
                common.number(r["median_ms"], 1),
                common.number(r["p95_ms"], 1),
                common.number(r["max_ms"], 1),
            ]
            for label, r in pages.items()
        ],
        notes=[
            f"throughput: {throughput:,.1f} requests/s over {load.seconds:,.1f} s (the sync: {busy.seconds:,.1f} s "
            f"from its enqueue). Target: median under {TARGET_MS} ms. Times from the request sent to the answer "
            "read, in the client; errors: an answer other than HTTP 200, or none.",
            *(f"- {label}: {r['error_kinds']}" for label, r in pages.items() if r["errors"] and label != "all pages"),
            f"gunicorn (DATABASE_CONN_MAX_AGE={options.conn_max_age}): largest worker peak RSS "
            f"{web_memory.peaks.child_hwm:,.0f} MB, all processes together {web_memory.peaks.tree_rss:,.0f} MB at "
            "most.",
        ],
    )
    names = ("worker", "gunicorn", "postgres", "simulator", "admins")
    rows = []
    for label, result in (("no admins", alone), (f"{options.clients} admins browsing", busy)):
        records = result.count("customers", "orders")
        others = max(0.0, result.machine_cpu - sum(result.cpu.get(name, 0) for name in names))
        rows.append(
            [
                label,
                common.number(records),
                common.number(result.seconds, 1),
                common.number(records / result.seconds if result.seconds else 0),
                *(f"{result.cpu.get(name, 0):,.1f} ({result.cpu_share.get(name, 0):.2f})" for name in names),
                f"{others:,.1f} ({others / result.seconds if result.seconds else 0:.2f})",
            ]
        )
    slowdown = busy.seconds / alone.seconds if alone.seconds else 0.0
    common.table(
        f"The sync of {customers + orders:,} records with and without the admins",
        ["sync", "records", "seconds", "records/s", *(f"{name} CPU s" for name in (*names, "others"))],
        rows,
        notes=[
            f"with the admins the sync took {slowdown:.2f}x as long. Seconds from the enqueue to the run's end; CPU "
            "seconds, in brackets the cores kept busy on average, of the machine's "
            f"{os.cpu_count()}. admins: the benchmark's process (the admins' threads); others: every other process "
            "on the machine. One `rqworker default sync` process, bridge mode, pages of 100; each run a first sync "
            "into an integration of its own.",
        ],
    )
    return {
        "orders_in_tables": data["orders"],
        **options.__dict__,
        "store": {"customers": customers, "orders": orders},
        "load_seconds": load.seconds,
        "throughput": throughput,
        "pages": pages,
        "sync_alone": alone.as_dict(),
        "sync_loaded": busy.as_dict(),
        "slowdown": slowdown,
        "gunicorn_memory": {k: v for k, v in web_memory.peaks.__dict__.items() if k != "samples"},
    }
