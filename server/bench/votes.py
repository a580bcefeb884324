"""`hoitruong bench votes`: a ballot storm against a real hall server process.

1. A fresh instance folder and database (SQLite in the instance, or an emptied PostgreSQL schema),
   migrated and seeded in-process with N delegates.
2. A real `hoitruong serve` child process (`ServerProcess`).
3. K client processes (`server.bench.clients`) sign every delegate in over HTTP and connect one
   Socket.IO client per delegate with its session cookie.
4. Here: the chair (staff login with CSRF) and a projector (display key) connect; the chair
   selects an agenda item, creates and opens a poll.
5. Every delegate waits for `poll.opened`; the workers meet at a barrier and cast all at once.
   The chair closes the poll; the projector's `poll.closed` gives the final tally lag.
6. The database is checked directly: lost and duplicated ballots, tally against the DB.
7. One JSON object on stdout; progress on stderr.
8. `--baseline`: the same clients and storm against a bare Flask-SocketIO server
   (`server.bench.baseline`) for `baseline_storm_s` and `ratio_to_baseline`.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from .clients import (
    BASELINE,
    HALL,
    Plan,
    Seat,
    choice_for,
    log,
    raise_nofile,
    run_worker,
)

PIN = "2468"
CLIENTS_PER_PROCESS = 1250  # "about 2 processes per 2,500 clients"


def auto_processes(delegates: int) -> int:
    return max(1, min(8, math.ceil(delegates / CLIENTS_PER_PROCESS - 0.2)))


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _s(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def _op() -> str:
    return uuid.uuid4().hex


# -- database ---------------------------------------------------------------------------------
def prepare_database(args: argparse.Namespace, instance: Path) -> str:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from server.db.engine import Database

    if args.database == "sqlite":
        return f"sqlite:///{instance / 'hoitruong.sqlite3'}"
    url = str(args.postgresql_url)
    host = make_url(url).host or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to empty a database that is not on 127.0.0.1: {host!r}")
    db = Database(url)
    try:
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        db.dispose()
    return url


def seed(url: str, delegates: int) -> tuple[Any, str]:
    from sqlalchemy import select

    from server.db import migrate
    from server.db.engine import Database
    from server.db.models import Meeting
    from server.services.setup import seed_demo

    db = Database(url)
    try:
        migrate.upgrade(db)
        with db.session() as session:
            seeded = seed_demo(session, delegates=delegates, pin=PIN)
        with db.session() as session:
            display_key = session.scalar(
                select(Meeting.display_key).where(Meeting.id == seeded.meeting_id)
            )
    finally:
        db.dispose()
    return seeded, str(display_key)


def check_database(url: str, poll_id: int) -> tuple[dict[int, str], dict[str, int], int]:
    """(delegate → choice, choice → count, rows) for the poll, read directly."""
    from sqlalchemy import func, select

    from server.db.engine import Database
    from server.db.models import Ballot

    db = Database(url)
    try:
        with db.session() as session:
            rows = session.execute(
                select(Ballot.delegate_id, Ballot.choice).where(Ballot.poll_id == poll_id)
            ).all()
            counts = {
                choice: int(n)
                for choice, n in session.execute(
                    select(Ballot.choice, func.count())
                    .where(Ballot.poll_id == poll_id)
                    .group_by(Ballot.choice)
                ).all()
            }
    finally:
        db.dispose()
    return {d: c for d, c in rows}, counts, len(rows)


# -- client processes -------------------------------------------------------------------------
class Workers:
    """K client processes with a start barrier (this process takes part) and a storm barrier."""

    def __init__(self, urls: str | list[str], mode: str, seats: list[Seat], processes: int) -> None:
        urls = [urls] if isinstance(urls, str) else urls
        self.ctx = multiprocessing.get_context("spawn")
        self.processes = max(1, min(processes, len(seats)))
        self.start_barrier = self.ctx.Barrier(self.processes + 1)
        self.storm_barrier = self.ctx.Barrier(self.processes)
        self.finish = self.ctx.Event()
        self.results = self.ctx.Queue()
        self.children: list[Any] = []
        for index in range(self.processes):
            bound = phase_timeout(len(seats))
            plan = Plan(
                url=urls[index % len(urls)], mode=mode, worker=index,
                seats=seats[index :: self.processes],
                signin_timeout=bound, connect_timeout=bound, barrier_timeout=bound + 600,
                finish_timeout=bound + 600,
            )
            self.children.append(
                self.ctx.Process(
                    target=run_worker,
                    args=(plan, self.start_barrier, self.storm_barrier, self.finish, self.results),
                    daemon=True,
                )
            )

    def start(self) -> None:
        for child in self.children:
            child.start()

    async def begin(self, timeout: float = 120.0) -> None:
        """Wait until every worker is up, then let them all start at once."""
        await asyncio.to_thread(self.start_barrier.wait, timeout)

    async def collect(self, kind: str, timeout: float) -> dict[int, dict[str, Any]]:
        """One `kind` message from every worker; an error message or a timeout raises."""
        got: dict[int, dict[str, Any]] = {}
        deadline = time.monotonic() + timeout
        while len(got) < self.processes:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"only {len(got)}/{self.processes} workers reported {kind!r}")
            try:
                message = await asyncio.to_thread(self.results.get, True, min(left, 5.0))
            except Exception:  # noqa: BLE001 - queue.Empty: check the children and go on
                dead = [c for c in self.children if c.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(f"a client process died (exit {dead[0].exitcode})") from None
                continue
            what, worker, data = message
            if what == "error":
                raise RuntimeError(f"client process {worker} failed:\n{data}")
            if what != kind:
                raise RuntimeError(f"client process {worker} sent {what!r}, expected {kind!r}")
            got[worker] = data
        return got

    def stop(self, timeout: float = 90.0) -> None:
        self.finish.set()
        deadline = time.monotonic() + timeout
        for child in self.children:
            child.join(max(0.1, deadline - time.monotonic()))
        for child in self.children:
            if child.is_alive():
                child.terminate()
                child.join(5)
        self.results.close()
        self.results.cancel_join_thread()


def summarize_connect(reports: dict[int, dict[str, Any]]) -> dict[str, Any]:
    start = min(r["t_start"] for r in reports.values())
    signed = max(r["t_signed"] for r in reports.values())
    connected_at = max(r["t_connected"] for r in reports.values())
    failures: dict[str, int] = {}
    for r in reports.values():
        for key, n in {**r["signin_failed"], **r["connect_failed"]}.items():
            failures[key] = failures.get(key, 0) + n
    return {
        "connected": sum(r["connected"] for r in reports.values()),
        "connect_s": connected_at - start,
        "signin_s": signed - start,
        "failures": failures,
    }


def summarize_storm(reports: dict[int, dict[str, Any]]) -> dict[str, Any]:
    firsts = [r["first_cast"] for r in reports.values() if r["first_cast"] is not None]
    lasts = [r["last_ack"] for r in reports.values() if r["last_ack"] is not None]
    latencies = [x for r in reports.values() for x in r["latencies"]]
    errors: dict[str, int] = {}
    for r in reports.values():
        for key, n in r["errors"].items():
            errors[key] = errors.get(key, 0) + n
    last_casts = [r["last_cast"] for r in reports.values() if r["last_cast"] is not None]
    ack_times = sorted(t - min(firsts) for r in reports.values() for t in r["ack_times"]) if firsts else []
    timeline: dict[int, int] = {}
    for t in ack_times:  # acks per 50 ms after the first cast
        slot = int(t / 0.05) * 50
        timeline[slot] = timeline.get(slot, 0) + 1
    return {
        "timeline": timeline,
        "window": (min(firsts), max(lasts)) if firsts and lasts else None,
        "storm_s": (max(lasts) - min(firsts)) if firsts and lasts else None,
        # How long the clients took to emit every ballot (a client-side bound on the storm).
        "send_spread_s": (max(last_casts) - min(firsts)) if firsts and last_casts else None,
        "latencies": latencies,
        "acked": [tuple(a) for r in reports.values() for a in r["acked"]],
        "errors": errors,
        "not_opened": sum(r.get("not_opened", 0) for r in reports.values()),
        "still_connected": sum(r["still_connected"] for r in reports.values()),
    }


# -- the chair and the projector --------------------------------------------------------------
class Staff:
    """A browser-like principal: its own cookie jar, then one Socket.IO client."""

    def __init__(self, base: str) -> None:
        import aiohttp

        self.base = base
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=aiohttp.ClientTimeout(total=60)
        )
        self.sio: Any = None

    def cookie_header(self) -> str:
        from yarl import URL

        cookies = self.http.cookie_jar.filter_cookies(URL(self.base))
        return "; ".join(f"{k}={m.value}" for k, m in cookies.items())

    async def login(self, username: str, password: str) -> None:
        async with self.http.get(f"{self.base}/auth/login") as answer:
            html = await answer.text()
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', html
        )
        if match is None:
            raise RuntimeError("no csrf_token on /auth/login")
        form = {"username": username, "password": password, "csrf_token": match.group(1), "next": ""}
        async with self.http.post(f"{self.base}/auth/login", data=form, allow_redirects=False) as answer:
            if answer.status not in (302, 303):
                raise RuntimeError(f"staff login failed: HTTP {answer.status}")
        async with self.http.get(f"{self.base}/api/session") as answer:
            principal = (await answer.json()).get("principal") or {}
        if principal.get("kind") != "staff":
            raise RuntimeError(f"staff login did not stick: {principal}")

    async def open_projector(self, meeting_id: int, key: str) -> None:
        async with self.http.get(f"{self.base}/projector/meetings/{meeting_id}", params={"key": key}) as a:
            if a.status != 200:
                raise RuntimeError(f"projector page: HTTP {a.status}")

    async def connect(self, auth: dict[str, Any] | None, handlers: dict[str, Any]) -> None:
        import socketio

        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False, request_timeout=30)
        for event, handler in handlers.items():
            self.sio.on(event, handler)
        await self.sio.connect(
            self.base,
            headers={"Cookie": self.cookie_header()},
            auth=auth,
            transports=["websocket"],
            wait_timeout=60,
        )

    async def call(self, event: str, payload: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
        answer = await self.sio.call(event, payload, timeout=timeout)
        if not isinstance(answer, dict) or not answer.get("ok"):
            raise RuntimeError(f"{event} failed: {answer}")
        return answer

    async def close(self) -> None:
        if self.sio is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.sio.disconnect(), 10)
        await self.http.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_profiler(pid: int, phase: str) -> Any:
    """With HOITRUONG_BENCH_PROFILE=PREFIX, py-spy records the server during `phase` into
    PREFIX-<phase>.txt (collapsed stacks, one line per stack with its sample count)."""
    import subprocess
    import sys

    prefix = os.environ.get("HOITRUONG_BENCH_PROFILE")
    if not prefix:
        return None
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    process = subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--rate", "1000", "--format", "raw",
         "--output", f"{prefix}-{phase}.txt", "--nonblocking"]
        + (["--idle"] if os.environ.get("HOITRUONG_BENCH_PROFILE_IDLE") == "1" else []),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # let it attach
    return process


def stop_profiler(process: Any) -> None:
    import signal

    if process is None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except Exception:  # noqa: BLE001
        process.kill()


async def _sample_rss(server: Any, peak: list[float], stop: asyncio.Event) -> None:
    for _ in range(100_000):
        with contextlib.suppress(Exception):
            peak[0] = max(peak[0], server.rss_mb())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
        if stop.is_set():
            return


def phase_timeout(delegates: int) -> float:
    """Generous bounds: a few minutes, plus time per delegate, plus room for a sign-in whose cost
    grows with N (before e99c81c each sign-in built the whole delegate list: ~90 s at 1,000²)."""
    return 300.0 + 0.5 * delegates + 90.0 * (delegates / 1000) ** 2


class _Servers:
    """Several hall server processes seen as one: the first takes the chair and projector."""

    def __init__(self, servers: list[Any]) -> None:
        self.all = servers
        self.url = servers[0].url
        self.process = servers[0].process

    def rss_mb(self) -> float:
        return sum(s.rss_mb() for s in self.all)

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(s.process.pid) for s in self.all)


async def hall_storm(
    servers: list[Any], seeded: Any, display_key: str, seats: list[Seat], processes: int
) -> dict[str, Any]:
    n = len(seats)
    server = _Servers(servers)
    workers = Workers([s.url for s in servers], HALL, seats, processes)
    chair = Staff(server.url)
    projector = Staff(server.url)
    rss_peak = [0.0]
    stop_sampling = asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(server, rss_peak, stop_sampling))
    closed_at: list[float] = []
    closed_payload: list[dict[str, Any]] = []
    tallies: list[dict[str, Any]] = []
    profiler = None
    try:
        workers.start()
        profiler = start_profiler(server.process.pid, "connect")
        await workers.begin()
        log(f"[hall] {workers.processes} client process(es): signing in and connecting {n} delegates")
        connected = summarize_connect(await workers.collect("connected", phase_timeout(n)))
        stop_profiler(profiler)
        profiler = None
        log(
            f"[hall] connected {connected['connected']}/{n} in {connected['connect_s']:.1f} s "
            f"(sign-in {connected['signin_s']:.1f} s); failures {connected['failures']}"
        )

        await chair.login("chutoa", seeded.staff_passwords["chutoa"])
        await chair.connect({"meeting_id": seeded.meeting_id}, {})
        await projector.open_projector(seeded.meeting_id, display_key)

        async def on_tally(data: dict[str, Any]) -> None:
            tallies.append(data)

        async def on_closed(data: dict[str, Any]) -> None:
            closed_at.append(time.monotonic())
            closed_payload.append(data)

        await projector.connect(None, {"poll.tally": on_tally, "poll.closed": on_closed})
        snapshot = await chair.call("state.snapshot", {})
        agenda = snapshot["snapshot"]["agenda"]
        item_id = next(
            (item["id"] for item in agenda if "ngân sách" in item["title"]), agenda[0]["id"]
        )
        await chair.call("agenda.select", {"op_id": _op(), "item_id": item_id})
        created = await chair.call(
            "poll.create",
            {
                "op_id": _op(),
                "agenda_item_id": item_id,
                "question": "Thông qua Nghị quyết về dự toán ngân sách xã năm 2027",
                "rule": "majority_of_total",
            },
        )
        poll_id = int(created["poll"]["id"])
        profiler = start_profiler(server.process.pid, "storm")
        t_open = time.monotonic()
        await chair.call("poll.open", {"op_id": _op(), "poll_id": poll_id})
        cpu_before = server.cpu_seconds()
        log(f"[hall] poll {poll_id} opened ({(time.monotonic() - t_open) * 1000:.0f} ms); storm")

        storm = summarize_storm(await workers.collect("storm", phase_timeout(n)))
        log(
            f"[hall] storm {storm['storm_s']}s, acks {len(storm['acked'])}, errors {storm['errors']}, "
            f"not opened {storm['not_opened']}"
        )
        log(f"[hall] acks per 50 ms after the first cast (ms: count): {storm['timeline']}")
        log(f"[hall] storm window (monotonic): {storm['window']}")
        rss_at_storm = server.rss_mb()
        # From the poll.open ack to the last worker's report: includes delivering poll.opened.
        server_cpu_storm = server.cpu_seconds() - cpu_before
        stop_profiler(profiler)
        profiler = None

        t_close = time.monotonic()
        closed = await chair.call("poll.close", {"op_id": _op(), "poll_id": poll_id})
        for _ in range(600):
            if closed_at:
                break
            await asyncio.sleep(0.05)
        lag = (closed_at[0] - t_close) if closed_at else None
        log(f"[hall] poll closed; projector lag {_ms(lag)} ms; {len(tallies)} live tallies seen")
        return {
            "poll_id": poll_id,
            "connected": connected,
            "storm": storm,
            "close_answer": closed,
            "projector_closed": closed_payload[0] if closed_payload else None,
            "tally_final_lag_ms": _ms(lag),
            "tally_events": len(tallies),
            "server_cpu_storm_s": round(server_cpu_storm, 3),
            "server_rss_mb": round(max(rss_peak[0], rss_at_storm), 1),
            "processes": workers.processes,
        }
    finally:
        stop_profiler(profiler)
        stop_sampling.set()
        await asyncio.gather(sampler, return_exceptions=True)
        await chair.close()
        await projector.close()
        await asyncio.to_thread(workers.stop)


async def baseline_storm(url: str, seats: list[Seat], processes: int) -> dict[str, Any]:
    n = len(seats)
    workers = Workers(url, BASELINE, seats, processes)
    try:
        workers.start()
        await workers.begin()
        log(f"[baseline] {workers.processes} client process(es): connecting {n} clients")
        connected = summarize_connect(await workers.collect("connected", phase_timeout(n)))
        log(f"[baseline] connected {connected['connected']}/{n} in {connected['connect_s']:.1f} s")
        storm = summarize_storm(await workers.collect("storm", phase_timeout(n)))
        log(f"[baseline] storm {storm['storm_s']}s, acks {len(storm['acked'])}, errors {storm['errors']}")
        log(f"[baseline] acks per 50 ms after the first cast (ms: count): {storm['timeline']}")
        return {"connected": connected, "storm": storm}
    finally:
        await asyncio.to_thread(workers.stop)


# -- the command ------------------------------------------------------------------------------
def main(args: argparse.Namespace) -> int:
    from .process import ServerProcess

    raise_nofile()
    n = int(args.delegates)
    if n < 1:
        raise SystemExit("--delegates must be at least 1")
    processes = args.processes or auto_processes(n)
    workers = int(getattr(args, "workers", 1) or 1)
    if workers > 1 and args.database != "postgresql":
        raise SystemExit("--workers above 1 needs --database postgresql (SQLite serves one worker)")
    instance = Path(tempfile.mkdtemp(prefix="hoitruong-bench-"))
    keep = os.environ.get("HOITRUONG_BENCH_KEEP") == "1"
    servers: list[Any] = []
    baseline = None
    ok = False
    try:
        url = prepare_database(args, instance)
        t = time.monotonic()
        seeded, display_key = seed(url, n)
        log(f"seeded {n} delegates in {time.monotonic() - t:.1f} s ({args.database}); instance {instance}")
        seats = [
            Seat(i, d.id, d.card_code, d.pin, choice_for(i)) for i, d in enumerate(seeded.delegates)
        ]
        # Several workers share one secret (sessions work on each) and one Redis channel.
        shared = {"HOITRUONG_SECRET_KEY": uuid.uuid4().hex,
                  "HOITRUONG_SOCKETIO_CHANNEL": f"bench-{uuid.uuid4().hex[:8]}"}
        for index in range(workers):
            servers.append(ServerProcess(
                instance=instance / f"worker{index}" if workers > 1 else instance,
                database_url=url, async_mode=args.async_mode,
                redis_url=args.redis_url if workers > 1 else None, extra_env=shared,
            ).start(60))
        server_pid = servers[0].process.pid
        log(f"{workers} server process(es) from pid {server_pid} on {servers[0].url} ({args.async_mode})")
        hall = asyncio.run(hall_storm(servers, seeded, display_key, seats, processes))
        for server in servers:
            server.stop()

        poll_id = hall["poll_id"]
        in_db, db_counts, rows = check_database(url, poll_id)
        storm = hall["storm"]
        acked = storm["acked"]
        lost = sum(1 for delegate_id, choice in acked if in_db.get(delegate_id) != choice)
        result_counts = (hall["close_answer"].get("result") or {}).get("counts") or {}
        mismatch = sum(
            abs(int(result_counts.get(c, 0)) - int(db_counts.get(c, 0)))
            for c in set(result_counts) | set(db_counts)
        )
        projector_counts = ((hall["projector_closed"] or {}).get("result") or {}).get("counts") or {}
        projector_mismatch = sum(
            abs(int(projector_counts.get(c, 0)) - int(db_counts.get(c, 0)))
            for c in set(projector_counts) | set(db_counts)
        ) if hall["projector_closed"] else None
        duplicated = (rows - len(in_db)) + mismatch
        latencies = storm["latencies"]
        out: dict[str, Any] = {
            "delegates": n,
            "connected": hall["connected"]["connected"],
            "connect_s": _s(hall["connected"]["connect_s"]),
            "votes_acked": len(acked),
            "votes_lost": lost,
            "votes_duplicated": duplicated,
            "storm_s": _s(storm["storm_s"]),
            "ack_p50_ms": _ms(percentile(latencies, 50)),
            "ack_p99_ms": _ms(percentile(latencies, 99)),
            "tally_final_lag_ms": hall["tally_final_lag_ms"],
            "server_rss_mb": hall["server_rss_mb"],
            "async_mode": args.async_mode,
            "database": args.database,
            # Extra detail (not part of the contract above, but useful when reading a run).
            "signin_s": _s(hall["connected"]["signin_s"]),
            "send_spread_s": _s(storm["send_spread_s"]),
            "ack_max_ms": _ms(max(latencies) if latencies else None),
            "cast_errors": storm["errors"],
            "connect_failures": hall["connected"]["failures"],
            "not_opened": storm["not_opened"],
            "db_counts": db_counts,
            "result_counts": result_counts,
            "projector_mismatch": projector_mismatch,
            "tally_events": hall["tally_events"],
            "server_cpu_storm_s": hall["server_cpu_storm_s"],
            "processes": hall["processes"],
            "workers": workers,
            "server_pid": server_pid,
        }
        if args.baseline:
            baseline_db = instance / "baseline.sqlite3"
            baseline = _start_baseline(baseline_db, args.async_mode)
            log(f"baseline pid {baseline.process.pid} on {baseline.url}")
            ref = asyncio.run(baseline_storm(baseline.url, seats, processes))
            baseline.stop()
            base_s = ref["storm"]["storm_s"]
            out["baseline_storm_s"] = _s(base_s)
            out["baseline_connected"] = ref["connected"]["connected"]
            out["baseline_acked"] = len(ref["storm"]["acked"])
            out["baseline_send_spread_s"] = _s(ref["storm"]["send_spread_s"])
            out["baseline_ack_p50_ms"] = _ms(percentile(ref["storm"]["latencies"], 50))
            out["baseline_ack_p99_ms"] = _ms(percentile(ref["storm"]["latencies"], 99))
            out["ratio_to_baseline"] = (
                round(storm["storm_s"] / base_s, 3) if base_s and storm["storm_s"] else None
            )
        print(json.dumps(out, ensure_ascii=False), flush=True)
        ok = True
        return 0
    finally:
        if baseline is not None:
            baseline.stop()
        for server in servers:
            code = server.process.poll() if server.process is not None else None
            server.stop()
            if not ok:
                log(f"server exit status before stop: {code}; log tail:\n{server.log()}")
        if keep or not ok:
            log(f"instance kept: {instance}")
        else:
            shutil.rmtree(instance, ignore_errors=True)


def _start_baseline(db_path: Path, async_mode: str) -> Any:
    from .baseline import BaselineProcess

    return BaselineProcess(db_path=db_path, async_mode=async_mode).start(60)
