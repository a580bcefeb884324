"""`hoitruong bench connections --count N`: hold N Socket.IO connections open at once, then
broadcast one event to all of them.

Each connection is a real Engine.IO v4 / Socket.IO v5 WebSocket (aiohttp), authenticated with a
hall display's session cookie, so the server runs its real connect handler and puts the socket in
the meeting's rooms. The chair then opens a poll; every connection must receive `poll.opened`.
This proves the connection limits (eventlet's own server stops at 1,024) and measures fan-out.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from .clients import log, raise_nofile
from .process import ServerProcess

CONNECT_CONCURRENCY = 250


async def _hold(url: str, cookie: str, count: int, ready: Any, go: Any, out: Any) -> None:
    import aiohttp  # noqa: PLC0415

    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    connected: list[Any] = []
    received: list[float] = []
    errors: list[str] = []
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    connector = aiohttp.TCPConnector(limit=0)
    session = aiohttp.ClientSession(connector=connector, headers={"Cookie": cookie})

    async def one() -> None:
        async with gate:
            try:
                ws = await session.ws_connect(ws_url, timeout=aiohttp.ClientWSTimeout(ws_close=5),
                                              autoping=True, max_msg_size=0)
                opened = await asyncio.wait_for(ws.receive_str(), 30)
                assert opened.startswith("0"), opened
                await ws.send_str("40")
                while True:
                    message = await asyncio.wait_for(ws.receive_str(), 30)
                    if message.startswith("40"):
                        break
                    if message.startswith("44"):
                        raise RuntimeError(message)
                    if message == "2":
                        await ws.send_str("3")
            except Exception as error:  # noqa: BLE001 - counted, not fatal
                errors.append(repr(error)[:200])
                return
        connected.append(ws)

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(count)))
    connect_s = time.monotonic() - started

    async def listen(ws: Any) -> None:
        async for message in ws:
            data = message.data
            if data == "2":
                await ws.send_str("3")
            elif isinstance(data, str) and data.startswith('42["poll.opened"'):
                received.append(time.monotonic())
                return

    listeners = [asyncio.create_task(listen(ws)) for ws in connected]
    ready.put({"connected": len(connected), "connect_s": connect_s, "errors": errors[:5],
               "error_count": len(errors)})
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, go.wait, 600)
    done, pending = await asyncio.wait(listeners, timeout=60)
    for task in pending:
        task.cancel()
    out.put({"received": received})
    for ws in connected:
        await ws.close()
    await session.close()


def _worker(url: str, cookie: str, count: int, ready: Any, go: Any, out: Any) -> None:
    raise_nofile(count + 1024)
    asyncio.run(_hold(url, cookie, count, ready, go, out))


def _prepare(instance: Path) -> tuple[str, int, str, str]:
    from server.db import migrate  # noqa: PLC0415
    from server.db.engine import Database  # noqa: PLC0415
    from server.services.setup import seed_demo  # noqa: PLC0415

    url = f"sqlite:///{instance / 'hoitruong.sqlite3'}"
    db = Database(url)
    migrate.upgrade(db)
    with db.session() as s:
        seeded = seed_demo(s, delegates=5, pin="2468")
        from server.db.models import Meeting  # noqa: PLC0415

        key = s.get(Meeting, seeded.meeting_id).display_key  # type: ignore[union-attr]
    db.dispose()
    return url, seeded.meeting_id, key, seeded.staff_passwords["chutoa"]


def staff_login(base: str, username: str, password: str) -> Any:
    """A staff session through the real sign-in form (CSRF token included)."""
    import re  # noqa: PLC0415

    import requests  # noqa: PLC0415

    session = requests.Session()
    form = session.get(f"{base}/auth/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if token is None:
        raise RuntimeError("the sign-in form has no CSRF token")
    answer = session.post(f"{base}/auth/login", timeout=10, allow_redirects=False,
                          data={"username": username, "password": password, "csrf_token": token.group(1)})
    if answer.status_code != 302:
        raise RuntimeError(f"staff sign-in failed with {answer.status_code}")
    return session


def main(args: argparse.Namespace) -> int:
    import requests  # noqa: PLC0415
    import socketio  # noqa: PLC0415

    instance = Path(tempfile.mkdtemp(prefix="hall-bench-conn-"))
    database_url, meeting_id, key, chair_password = _prepare(instance)
    server = ServerProcess(instance=instance, database_url=database_url, async_mode=args.async_mode)
    server.start()
    try:
        display = requests.Session()
        display.get(f"{server.url}/projector/meetings/{meeting_id}", params={"key": key}, timeout=10)
        cookie = "; ".join(f"{k}={v}" for k, v in display.cookies.items())
        processes = args.processes or max(1, min(4, args.count // 3000 + 1))
        shares = [args.count // processes + (1 if i < args.count % processes else 0) for i in range(processes)]
        ctx = mp.get_context("spawn")
        ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        workers = [ctx.Process(target=_worker, args=(server.url, cookie, n, ready, go, out)) for n in shares]
        started = time.monotonic()
        for w in workers:
            w.start()
        reports = [ready.get(timeout=900) for _ in workers]
        connect_s = time.monotonic() - started
        connected = sum(r["connected"] for r in reports)
        log(f"connected {connected}/{args.count} in {connect_s:.1f} s")

        chair_http = staff_login(server.url, "chutoa", chair_password)
        chair = socketio.Client(reconnection=False)
        chair.connect(server.url, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in chair_http.cookies.items())},
                      auth={"meeting_id": meeting_id}, transports=["websocket"])
        snapshot = chair.call("state.snapshot", {})["snapshot"]
        item = snapshot["agenda"][0]["id"]
        poll = chair.call("poll.create", {"op_id": uuid.uuid4().hex, "agenda_item_id": item,
                                          "question": "Kiểm tra kết nối"})["poll"]
        rss_mb = server.rss_mb()
        open_files = len(os.listdir(f"/proc/{server.process.pid}/fd")) if server.process else 0
        go.set()
        emitted = time.monotonic()
        chair.call("poll.open", {"op_id": uuid.uuid4().hex, "poll_id": poll["id"]})
        arrivals = [t for _ in workers for t in out.get(timeout=120)["received"]]
        for w in workers:
            w.join(60)
        chair.disconnect()
        lags = sorted((t - emitted) * 1000 for t in arrivals)
        result = {
            "connections_requested": args.count,
            "connected": connected,
            "connect_errors": sum(r["error_count"] for r in reports),
            "connect_s": round(connect_s, 2),
            "broadcast_received": len(lags),
            "broadcast_p50_ms": round(statistics.median(lags), 1) if lags else None,
            "broadcast_p99_ms": round(lags[int(len(lags) * 0.99) - 1], 1) if lags else None,
            "broadcast_max_ms": round(lags[-1], 1) if lags else None,
            "server_rss_mb": round(rss_mb, 1),
            "server_open_files": open_files,
            "client_processes": processes,
            "async_mode": args.async_mode,
        }
        if reports[0]["errors"]:
            log(f"first connect errors: {reports[0]['errors']}")
        print(json.dumps(result), flush=True)
        return 0 if connected == args.count and len(lags) == args.count else 1
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(argparse.Namespace(count=int(sys.argv[1]), async_mode=sys.argv[2], processes=0)))
