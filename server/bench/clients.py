"""Client processes for `hoitruong bench votes`: many Socket.IO clients in one asyncio loop each.

A worker process owns a slice of the delegates. For the hall server it signs each one in through
`POST /api/tablet/sign-in` (one cookie jar per delegate), connects one `socketio.AsyncClient` per
delegate with that session cookie, waits for `poll.opened` on every socket, meets the other
workers at a barrier, then casts every ballot at once and reports each ack's latency. For the bare
baseline server it skips the sign-in and sends the delegate id in the payload.

Everything here runs in a child process (multiprocessing, spawn): only plain, picklable data
crosses the process boundary. Times are `time.monotonic()`, which on Linux is one clock for every
process of the machine, so the parent can compare them across workers.
"""
from __future__ import annotations

import asyncio
import contextlib
import resource
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any

HALL = "hall"
BASELINE = "baseline"


def choice_for(index: int) -> str:
    """70 % yes, 20 % no, 10 % abstain, spread evenly over the delegates."""
    bucket = index % 10
    return "yes" if bucket < 7 else "no" if bucket < 9 else "abstain"


def raise_nofile(wanted: int = 65536) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Seat:
    """One simulated tablet: the delegate, its card and PIN, and the choice it will cast."""

    index: int
    delegate_id: int
    card_code: str
    pin: str
    choice: str


@dataclass(frozen=True)
class Plan:
    url: str
    mode: str  # HALL or BASELINE
    worker: int
    seats: list[Seat]
    signin_concurrency: int = 8
    connect_concurrency: int = 100
    signin_timeout: float = 900.0  # the whole sign-in phase of this worker
    connect_timeout: float = 600.0  # the whole connect phase of this worker
    opened_timeout: float = 120.0  # waiting for poll.opened on every socket
    barrier_timeout: float = 900.0
    cast_timeout: float = 60.0  # one ballot.cast call
    finish_timeout: float = 900.0  # waiting for the parent's go to disconnect
    baseline_poll_id: int = 1


@dataclass
class _Client:
    seat: Seat
    sio: Any = None
    http: Any = None
    cookie: str = ""
    connected: bool = False
    opened: asyncio.Event = field(default_factory=asyncio.Event)
    poll_id: int | None = None
    error: str | None = None


def run_worker(plan: Plan, start_barrier: Any, storm_barrier: Any, finish: Any, results: Any) -> None:
    """Process entry point. Reports ("connected", …), ("storm", …) or ("error", …) on `results`."""
    raise_nofile()
    try:
        asyncio.run(_Worker(plan, start_barrier, storm_barrier, finish, results).run())
    except BaseException:  # noqa: BLE001 - the parent must hear about it, not hang
        results.put(("error", plan.worker, traceback.format_exc()))


class _Worker:
    def __init__(self, plan: Plan, start_barrier: Any, storm_barrier: Any, finish: Any, results: Any):
        self.plan = plan
        self.start_barrier = start_barrier
        self.storm_barrier = storm_barrier
        self.finish = finish
        self.results = results
        self.clients = [_Client(seat) for seat in plan.seats]
        self.connector: Any = None

    async def _blocking(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    async def run(self) -> None:
        import aiohttp

        self.connector = aiohttp.TCPConnector(limit=0, force_close=False)
        try:
            await self._blocking(self.start_barrier.wait, self.plan.barrier_timeout)
            t_start = time.monotonic()
            signin_failed: dict[str, int] = {}
            if self.plan.mode == HALL:
                signin_failed = await self._sign_in_all()
            t_signed = time.monotonic()
            connect_failed = await self._connect_all()
            t_connected = time.monotonic()
            connected = [c for c in self.clients if c.connected]
            self.results.put(
                (
                    "connected",
                    self.plan.worker,
                    {
                        "t_start": t_start,
                        "t_signed": t_signed,
                        "t_connected": t_connected,
                        "connected": len(connected),
                        "signin_failed": signin_failed,
                        "connect_failed": connect_failed,
                    },
                )
            )
            not_opened = 0
            if self.plan.mode == HALL:
                not_opened = await self._wait_opened(connected)
            await self._blocking(self.storm_barrier.wait, self.plan.barrier_timeout)
            storm = await self._storm(connected)
            storm["not_opened"] = not_opened
            self.results.put(("storm", self.plan.worker, storm))
            await self._blocking(self.finish.wait, self.plan.finish_timeout)
        finally:
            await self._close_all()

    # -- sign-in ---------------------------------------------------------------------------
    async def _sign_in_all(self) -> dict[str, int]:
        import aiohttp
        from yarl import URL

        failed: dict[str, int] = {}
        gate = asyncio.Semaphore(self.plan.signin_concurrency)
        base = URL(self.plan.url)

        async def one(client: _Client) -> None:
            client.http = aiohttp.ClientSession(
                connector=self.connector,
                connector_owner=False,
                cookie_jar=aiohttp.CookieJar(unsafe=True),
                timeout=aiohttp.ClientTimeout(total=120),
            )
            body = {
                "card_code": client.seat.card_code,
                "pin": client.seat.pin,
                "device_id": f"bench-{client.seat.delegate_id:06d}-{uuid.uuid4().hex[:8]}",
                "device_label": f"Bench tablet {client.seat.index + 1}",
            }
            async with gate:
                try:
                    async with client.http.post(f"{self.plan.url}/api/tablet/sign-in", json=body) as answer:
                        data = await answer.json(content_type=None)
                        if answer.status != 200 or not data.get("ok"):
                            code = (data.get("error") or {}).get("code", f"http_{answer.status}")
                            client.error = f"sign-in: {code}"
                            return
                except Exception as error:  # noqa: BLE001
                    client.error = f"sign-in: {type(error).__name__}"
                    return
            cookies = client.http.cookie_jar.filter_cookies(base)
            client.cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
            if "session=" not in client.cookie:
                client.error = "sign-in: no session cookie"

        try:
            await asyncio.wait_for(
                asyncio.gather(*(one(c) for c in self.clients)), self.plan.signin_timeout
            )
        except TimeoutError:
            log(f"worker {self.plan.worker}: sign-in phase timed out")
        for client in self.clients:
            if client.error or not client.cookie:
                key = client.error or "sign-in: not finished"
                failed[key] = failed.get(key, 0) + 1
        return failed

    # -- connect ---------------------------------------------------------------------------
    async def _connect_all(self) -> dict[str, int]:
        import aiohttp
        import socketio

        gate = asyncio.Semaphore(self.plan.connect_concurrency)

        async def one(client: _Client) -> None:
            if self.plan.mode == HALL and (client.error or not client.cookie):
                return
            if client.http is None:
                client.http = aiohttp.ClientSession(
                    connector=self.connector,
                    connector_owner=False,
                    cookie_jar=aiohttp.DummyCookieJar(),
                )
            sio = socketio.AsyncClient(
                reconnection=False, http_session=client.http, handle_sigint=False, request_timeout=30
            )
            client.sio = sio

            async def _opened(data: Any) -> None:
                client.poll_id = int(data["poll"]["id"])
                client.opened.set()

            sio.on("poll.opened", _opened)

            headers = {"Cookie": client.cookie} if client.cookie else {}
            async with gate:
                try:
                    await sio.connect(
                        self.plan.url,
                        headers=headers,
                        transports=["websocket"],
                        wait_timeout=60,
                    )
                    client.connected = True
                except Exception as error:  # noqa: BLE001
                    client.error = f"connect: {type(error).__name__}: {str(error)[:80]}"

        try:
            await asyncio.wait_for(
                asyncio.gather(*(one(c) for c in self.clients)), self.plan.connect_timeout
            )
        except TimeoutError:
            log(f"worker {self.plan.worker}: connect phase timed out")
        failed: dict[str, int] = {}
        for client in self.clients:
            if not client.connected and client.error and client.error.startswith("connect"):
                failed[client.error] = failed.get(client.error, 0) + 1
        return failed

    async def _wait_opened(self, clients: list[_Client]) -> int:
        deadline = time.monotonic() + self.plan.opened_timeout
        for client in clients:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(client.opened.wait(), left)
        return sum(1 for c in clients if not c.opened.is_set())

    # -- the storm -------------------------------------------------------------------------
    async def _storm(self, clients: list[_Client]) -> dict[str, Any]:
        import socketio

        async def one(client: _Client) -> tuple[Any, ...]:
            seat = client.seat
            if self.plan.mode == HALL:
                if client.poll_id is None:
                    return (seat.delegate_id, seat.choice, False, None, None, None, "no_poll_opened")
                payload: dict[str, Any] = {
                    "op_id": uuid.uuid4().hex, "poll_id": client.poll_id, "choice": seat.choice,
                }
            else:
                payload = {
                    "op_id": uuid.uuid4().hex,
                    "poll_id": self.plan.baseline_poll_id,
                    "delegate_id": seat.delegate_id,
                    "choice": seat.choice,
                }
            t0 = time.monotonic()
            try:
                answer = await client.sio.call("ballot.cast", payload, timeout=self.plan.cast_timeout)
            except socketio.exceptions.TimeoutError:
                return (seat.delegate_id, seat.choice, False, t0, None, None, "timeout")
            except Exception as error:  # noqa: BLE001
                return (seat.delegate_id, seat.choice, False, t0, None, None, type(error).__name__)
            t1 = time.monotonic()
            ok = isinstance(answer, dict) and answer.get("ok") is True
            code = None if ok else ((answer or {}).get("error") or {}).get("code", "bad_answer")
            return (seat.delegate_id, seat.choice, ok, t0, t1, t1 - t0, code)

        outcomes = await asyncio.gather(*(one(c) for c in clients))
        firsts = [o[3] for o in outcomes if o[3] is not None]
        lasts = [o[4] for o in outcomes if o[4] is not None]
        errors: dict[str, int] = {}
        for o in outcomes:
            if o[6]:
                errors[o[6]] = errors.get(o[6], 0) + 1
        return {
            "first_cast": min(firsts) if firsts else None,
            "last_cast": max(firsts) if firsts else None,
            "last_ack": max(lasts) if lasts else None,
            "latencies": [o[5] for o in outcomes if o[5] is not None],
            "ack_times": [o[4] for o in outcomes if o[4] is not None],
            "acked": [(o[0], o[1]) for o in outcomes if o[2]],
            "errors": errors,
            "still_connected": sum(1 for c in clients if c.sio is not None and c.sio.connected),
        }

    async def _close_all(self) -> None:
        async def one(client: _Client) -> None:
            if client.sio is not None:
                with contextlib.suppress(Exception):
                    await client.sio.disconnect()
            if client.http is not None:
                with contextlib.suppress(Exception):
                    await client.http.close()

        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*(one(c) for c in self.clients)), 60)
        if self.connector is not None:
            with contextlib.suppress(Exception):
                await self.connector.close()
