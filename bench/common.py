"""What the benchmarks share: processes (simulator, worker, gunicorn), /proc sampling, sync runs, tables.

Everything runs on 127.0.0.1 against the Redis and PostgreSQL that `bench/run` started; every
process started here is stopped here (and listed in $OROINT_BENCH_PIDS, so that bench/run's exit
trap can stop it if this process dies first).
"""

from __future__ import annotations

import datetime
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from integrations.simulators.magento1.control import SimulatorControl

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_INTERVAL = 0.2
API_USER, API_KEY = "demo", "demo-key-123"
SYNC_START = datetime.date(2000, 1, 1)


def log(message: str) -> None:
    """Progress goes to stderr, so that stdout holds only the result tables."""
    print(f"... {message}", file=sys.stderr, flush=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oroint.settings")
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def workdir() -> Path:
    """Logs of the processes started here: under bench/run's temporary directory."""
    path = Path(os.environ.get("OROINT_VAR_DIR", ROOT / "var")) / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


# -- processes --------------------------------------------------------------------------------------


class Process:
    """A `manage.py` subprocess in its own session, so that stopping it also stops its children.

    `program` replaces `python manage.py` for another command of the project's Python (gunicorn).
    """

    def __init__(
        self,
        name: str,
        args: Sequence[str],
        env: dict[str, str] | None = None,
        *,
        program: Sequence[str] = (sys.executable, str(ROOT / "manage.py")),
    ) -> None:
        self.name = name
        self.log_path = workdir() / f"{name}.log"
        self._log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            [*program, *args],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        pids_file = os.environ.get("OROINT_BENCH_PIDS")
        if pids_file:
            with open(pids_file, "a") as out:
                out.write(f"{self.popen.pid}\n")

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM to the process group (an RQ worker then ends its job's horse too), then SIGKILL."""
        if self.alive():
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)  # leftovers of the group (a work horse), if any
        except (ProcessLookupError, PermissionError):
            pass
        if self.popen.poll() is None:
            self.popen.wait(5)
        self._log.close()


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout:g} s waiting for {what}")


class Simulator(Process, SimulatorControl):
    """`manage.py magento_simulator` in bridge mode, reached over HTTP like a real store."""

    def __init__(self, *, customers: int, orders: int, seed: int = 1, extra: Sequence[str] = ()) -> None:
        self.port = free_port()
        self.customers, self.orders = customers, orders
        args = ["--port", str(self.port), "--customers", str(customers), "--orders", str(orders), "--seed", str(seed)]
        super().__init__(
            f"simulator-{customers}-{orders}-{self.port}",
            ["magento_simulator", *args, "--mode", "bridge", "--api-user", API_USER, "--api-key", API_KEY, *extra],
        )
        SimulatorControl.__init__(self, f"http://127.0.0.1:{self.port}")
        self.wsdl_url = f"{self.url}/api/v2_soap/?wsdl=1"
        self.soap_url = f"{self.url}/api.php?type=v2_soap"
        started = time.monotonic()
        wait_for(self._answers, timeout=600, what=f"the simulator ({customers} customers, {orders} orders)")
        self.startup_seconds = time.monotonic() - started

    def _answers(self) -> bool:
        if not self.alive():
            raise RuntimeError(f"the simulator exited:\n{self.tail()}")
        try:
            with urllib.request.urlopen(self.wsdl_url, timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False


class Worker(Process):
    """One `manage.py rqworker default sync` process, as deployed.

    RQ's default worker forks a work horse per job: the job's memory is the horse's, so memory is
    measured over the worker's whole process tree (see TreeSampler).
    """

    def __init__(self, name: str = "worker") -> None:
        super().__init__(f"{name}-{time.time_ns()}", ["rqworker", "default", "sync"])
        wait_for(self._registered, timeout=120, what="the RQ worker to register")

    def _registered(self) -> bool:
        import django_rq
        from rq import Worker as RQWorker

        if not self.alive():
            raise RuntimeError(f"the worker exited:\n{self.tail()}")
        workers = RQWorker.all(connection=django_rq.get_connection("sync"))
        return any(w.pid == self.pid and w.get_state() == "idle" for w in workers)


class Gunicorn(Process):
    """`gunicorn oroint.wsgi` with `workers` sync workers on a loopback port, as README's Deployment runs it.

    No control socket: gunicorn's default one is a single path per user ($XDG_RUNTIME_DIR or
    ~/.gunicorn), which a second instance on the machine would take over.
    """

    def __init__(self, *, workers: int, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}"
        args = ["oroint.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}", "--no-control-socket"]
        super().__init__(f"gunicorn-{self.port}", args, env=env, program=(sys.executable, "-m", "gunicorn"))
        wait_for(self._answers, timeout=120, what="gunicorn to answer")

    def _answers(self) -> bool:
        if not self.alive():
            raise RuntimeError(f"gunicorn exited:\n{self.tail()}")
        try:
            with urllib.request.urlopen(f"{self.url}/admin/login/", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False


# -- /proc ------------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc/<pid>/task/<tid>/children (no scan of all of /proc)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found.extend(int(child) for child in f.read().split())
        except OSError:
            continue
    return found


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants alive now."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(_children(current))
    return tree


def _status_kb(pid: int, keys: tuple[str, ...] = ("VmRSS", "VmHWM")) -> dict[str, int]:
    values = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                name, _, rest = line.partition(":")
                if name in keys:
                    values[name] = int(rest.split()[0])
    except OSError:
        pass
    return values


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages (a forked horse shares most of its parent's) counted once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_ticks(pid: int) -> tuple[int, int] | None:
    """(own utime + stime, reaped children's cutime + cstime) in clock ticks; None when gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: the fields start after the last ')'.
    fields = stat[stat.rindex(b")") + 2 :].split()
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def machine_busy_ticks() -> int:
    """CPU time every process on the machine has used since boot (user, nice, system, irq, softirq), in ticks.

    Time the hypervisor gave to other machines (steal) does not count: it is not this machine's work.
    """
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in f.readline().split()[1:8])
    return user + nice + system + irq + softirq


class CpuMeter:
    """CPU seconds used by named process trees between start() and stop(), from two readings.

    A tree's CPU is its live processes' own time plus the time of the children its root reaped
    (a work horse is reaped by its worker, a PostgreSQL backend by the postmaster): no sampling
    thread, so measuring costs the measured processes nothing. `machine` is what all the machine's
    processes used meanwhile, to see how much went to others (other people's work on a shared machine).
    """

    def __init__(self, roots: dict[str, int], alone: tuple[str, ...] = ()) -> None:
        """`roots`: name -> pid of each tree; the names in `alone` count that one process only."""
        self.roots = {name: pid for name, pid in roots.items() if pid}
        self.alone = alone
        self._start: dict[str, int] = {}
        self._started = 0.0
        self._machine_start = 0
        self.seconds: dict[str, float] = {}
        self.machine = 0.0
        self.wall = 0.0

    def _reading(self, name: str, root: int) -> int:
        if name in self.alone:
            return (_cpu_ticks(root) or (0, 0))[0]
        total = 0
        for pid in process_tree(root):
            ticks = _cpu_ticks(pid)
            if ticks is not None:
                total += ticks[0] + (ticks[1] if pid == root else 0)
        return total

    def start(self) -> CpuMeter:
        self._start = {name: self._reading(name, root) for name, root in self.roots.items()}
        self._machine_start = machine_busy_ticks()
        self._started = time.monotonic()
        return self

    def stop(self) -> dict[str, float]:
        self.wall = time.monotonic() - self._started
        self.machine = (machine_busy_ticks() - self._machine_start) / CLOCK_TICKS
        for name, root in self.roots.items():
            self.seconds[name] = (self._reading(name, root) - self._start[name]) / CLOCK_TICKS
        return self.seconds

    def utilisation(self) -> dict[str, float]:
        """Cores each tree kept busy on average over the measured wall time (1.0 = one whole core)."""
        return {name: seconds / self.wall for name, seconds in self.seconds.items()} if self.wall else {}


@dataclass
class MemoryPeaks:
    """Peaks over a process tree's life while sampled, in MB."""

    root_hwm: float = 0.0  # the worker's own peak RSS (VmHWM, so peaks between samples count too)
    child_hwm: float = 0.0  # the largest child's peak RSS (the work horse)
    tree_rss: float = 0.0  # the largest sum of VmRSS over the tree (counts shared pages twice)
    tree_pss: float = 0.0  # the largest sum of PSS over the tree (shared pages counted once)
    samples: list[tuple[float, float]] = field(default_factory=list)  # (seconds, tree RSS MB)

    @property
    def peak(self) -> float:
        """The figure compared with the target: the tree's peak, its processes' RSS summed."""
        return max(self.tree_rss, self.root_hwm, self.child_hwm)

    def rss_at(self, fraction: float) -> float:
        """Tree RSS at a fraction of the sampled time (to see whether it grows while the run goes on)."""
        if not self.samples:
            return 0.0
        end = self.samples[-1][0]
        return min(self.samples, key=lambda s: abs(s[0] - fraction * end))[1]


class TreeSampler:
    """Samples a process tree's memory every 0.2 s from /proc (VmRSS, VmHWM, PSS)."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peaks = MemoryPeaks()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="rss-sampler")
        self._started = 0.0

    def _sample(self) -> None:
        tree = process_tree(self.root)
        rss_total = pss_total = 0
        for pid in tree:
            status = _status_kb(pid)
            rss_total += status.get("VmRSS", 0)
            pss_total += _pss_kb(pid)
            hwm = status.get("VmHWM", 0) / 1024
            if pid == self.root:
                self.peaks.root_hwm = max(self.peaks.root_hwm, hwm)
            else:
                self.peaks.child_hwm = max(self.peaks.child_hwm, hwm)
        self.peaks.tree_rss = max(self.peaks.tree_rss, rss_total / 1024)
        self.peaks.tree_pss = max(self.peaks.tree_pss, pss_total / 1024)
        self.peaks.samples.append((time.monotonic() - self._started, rss_total / 1024))

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_INTERVAL):
            self._sample()

    def __enter__(self) -> TreeSampler:
        self._started = time.monotonic()
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def postgres_root() -> int | None:
    """The postmaster's pid: the parent of this connection's backend."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        with open(f"/proc/{backend}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


# -- sync runs --------------------------------------------------------------------------------------


def create_integration(name: str, wsdl_url: str):
    """What `integration_create magento1 --name N --wsdl-url U ... --sync-start-date 2000-01-01` does."""
    from integrations.services import integration_create

    return integration_create(
        name=name,
        integration_type="magento1",
        settings_values={"api_url": wsdl_url, "api_user": API_USER, "api_key": API_KEY, "sync_start_date": SYNC_START},
    )


@dataclass
class SyncResult:
    run_id: int
    status: str
    seconds: float  # from the enqueue to the run's finished_at
    queue_seconds: float  # from the enqueue to the run's started_at (fork, claim)
    entities: dict[str, dict[str, Any]]
    memory: MemoryPeaks | None = None
    cpu: dict[str, float] = field(default_factory=dict)
    cpu_share: dict[str, float] = field(default_factory=dict)
    machine_cpu: float = 0.0  # CPU seconds all the machine's processes used over the run

    def count(self, *names: str, key: str = "read") -> int:
        return sum(self.entities[name][key] for name in names if name in self.entities)

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "memory"}
        if self.memory is not None:
            data["memory"] = {k: v for k, v in self.memory.__dict__.items() if k != "samples"}
            data["memory"]["rss_quartiles"] = [round(self.memory.rss_at(f), 1) for f in (0.25, 0.5, 0.75, 1.0)]
        return data


def run_sync(
    integration,
    worker: Worker,
    *,
    label: str,
    sample_memory: bool = False,
    cpu_roots: dict[str, int] | None = None,
    cpu_alone: tuple[str, ...] = (),
    timeout: float = 6 * 3600,
    on_enqueued: Callable[[Any], None] | None = None,
) -> SyncResult:
    """Enqueue a sync as `integration_sync ID` does and wait for its end; measure from the enqueue.

    `on_enqueued(run)` is called right after the enqueue (to start what should run beside the sync).
    CPU is measured for the worker's tree and `cpu_roots` (name -> pid; the names in `cpu_alone` count
    that one process, not its children).
    """
    from integrations.models import SyncRun
    from integrations.services import sync_schedule

    sampler = TreeSampler(worker.pid) if sample_memory else None
    cpu = CpuMeter({"worker": worker.pid, **(cpu_roots or {})}, alone=cpu_alone)
    if sampler:
        sampler.__enter__()
    cpu.start()
    try:
        enqueued = time.time()
        run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
        if on_enqueued is not None:
            on_enqueued(run)
        deadline, next_note = time.monotonic() + timeout, time.monotonic() + 15
        while not run.is_finished:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{label}: run {run.pk} still {run.status} after {timeout:g} s")
            if not worker.alive():
                raise RuntimeError(f"{label}: the worker died:\n{worker.tail()}")
            time.sleep(0.1)
            run.refresh_from_db()
            if time.monotonic() > next_note:
                next_note += 15
                done = sum(e.read for e in run.entities.all())
                elapsed = time.time() - enqueued
                log(f"{label}: {elapsed:.0f} s, {run.current_entity or '-'}, {done:,} read ({done / elapsed:,.0f}/s)")
    finally:
        cpu.stop()
        if sampler:
            sampler.__exit__(None, None, None)
    if run.status != SyncRun.Status.SUCCEEDED:
        raise RuntimeError(f"{label}: run {run.pk} {run.status}: {run.message}\n{run.log}\n{worker.tail()}")
    entities = {}
    for row in run.entities.all():
        stats = row.as_stats()
        stats["seconds"] = (row.finished_at - row.started_at).total_seconds() if row.started_at else 0.0
        stats["busy_seconds"] = row.busy_seconds
        entities[row.entity] = stats
    return SyncResult(
        run_id=run.pk,
        status=run.status,
        seconds=run.finished_at.timestamp() - enqueued,
        queue_seconds=run.started_at.timestamp() - enqueued,
        entities=entities,
        memory=sampler.peaks if sampler else None,
        cpu={k: round(v, 1) for k, v in cpu.seconds.items()},
        cpu_share={k: round(v, 2) for k, v in cpu.utilisation().items()},
        machine_cpu=round(cpu.machine, 1),
    )


# -- the floor --------------------------------------------------------------------------------------


class FloorTable:
    """The floor's scratch table: each page's raw records written with one multi-row INSERT (what
    `bulk_create` sends), committed on its own (autocommit); made on entry, dropped on exit."""

    def __init__(self, name: str, id_type: str) -> None:
        self.name, self.id_type = name, id_type

    def __enter__(self) -> FloorTable:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            cursor.execute(
                f"CREATE TABLE {self.name} (entity text NOT NULL, remote_id {self.id_type} NOT NULL, payload jsonb)"
            )
        return self

    def insert(self, entity: str, records: list[tuple[Any, dict[str, Any]]]) -> None:
        """(remote id, raw record) pairs of one page."""
        import json

        from django.db import connection

        values = ", ".join(["(%s, %s, %s::jsonb)"] * len(records))
        params: list[Any] = []
        for remote_id, record in records:
            params += [entity, remote_id, json.dumps(record, default=str)]
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {self.name} (entity, remote_id, payload) VALUES {values}", params)

    def __exit__(self, *exc_info: object) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


def floor_figures(counts: dict[str, int], seconds: dict[str, float], total: float, cpu: CpuMeter) -> dict[str, Any]:
    """What a floor measurement reports: records per entity and in all, seconds, rate, CPU."""
    records = sum(counts.values())
    return {
        "counts": counts,
        "entity_seconds": seconds,
        "records": records,
        "seconds": total,
        "rate": records / total,
        "cpu": {k: round(v, 1) for k, v in cpu.seconds.items()},
        "cpu_share": {k: round(v, 2) for k, v in cpu.utilisation().items()},
    }


def floor_row(label: str, read: int, seconds: float, floor_read: int, floor_seconds: float) -> list[str]:
    """A table row: end to end beside the floor, and their ratio."""
    rate, floor_rate = read / seconds, floor_read / floor_seconds
    return [
        label,
        number(read),
        number(seconds, 1),
        number(rate),
        number(floor_seconds, 1),
        number(floor_rate),
        f"{rate / floor_rate:.2f}",
    ]


# -- output -----------------------------------------------------------------------------------------


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], notes: Sequence[str] = ()) -> str:
    """A Markdown table (readable in a terminal, pasteable into RESULTS.md), numbers right-aligned."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    numeric = [all(_looks_numeric(r[i]) for r in rows) and bool(rows) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        padded = [c.rjust(w) if n else c.ljust(w) for c, w, n in zip(cells, widths, numeric, strict=True)]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if n else ("-" * (w + 2)) for w, n in zip(widths, numeric, strict=True))
    out = [f"### {title}", "", line(headers), rule + "|", *(line(r) for r in rows)]
    if notes:
        out += ["", *notes]
    text = "\n".join(out) + "\n"
    print(text, flush=True)
    return text


def _looks_numeric(text: str) -> bool:
    stripped = text.replace(",", "").replace(".", "").replace("-", "").replace("%", "").replace(" ", "")
    return stripped.isdigit() or text == "-"


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def machine() -> dict[str, str]:
    """What RESULTS.md states about the machine the figures come from."""
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        total_kb = int(f.readline().split()[1])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "code": code_version(),
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{total_kb / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def code_version() -> str:
    """The commit measured, with the files changed since when the working tree is dirty."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        # A copy without .git (`git archive`): the caller may say which commit it is.
        return os.environ.get("OROINT_BENCH_COMMIT", "unknown")
    files = [line[3:] for line in changed if line.strip()]
    return f"{commit} + uncommitted changes to {', '.join(files)}" if files else commit
