"""`hoitruong bench …`: benchmark drivers that print one JSON object."""
from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    bench = sub.add_parser("bench", help="benchmarks (print JSON)")
    kinds = bench.add_subparsers(dest="bench_command", required=True)
    votes = kinds.add_parser("votes", help="a ballot storm against a real server process")
    votes.add_argument("--delegates", type=int, default=500)
    votes.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    votes.add_argument("--async-mode", choices=["gevent", "eventlet"], default="gevent")
    votes.add_argument("--baseline", action="store_true")
    votes.add_argument("--processes", type=int, default=0, help="client processes (0 = auto)")
    votes.add_argument("--postgresql-url", default="postgresql://postgres@127.0.0.1:5432/test")
    votes.add_argument("--workers", type=int, default=1,
                       help="hall server processes (PostgreSQL + Redis); clients spread over them")
    votes.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    votes.set_defaults(func=run)

    sign = kinds.add_parser("sign", help="render, sign (B-B, B-T) and verify vote-result records")
    sign.add_argument("--count", type=int, default=20)
    sign.set_defaults(func=run_sign)

    conns = kinds.add_parser("connections", help="hold N Socket.IO connections, broadcast to all")
    conns.add_argument("--count", type=int, default=10000)
    conns.add_argument("--async-mode", choices=["gevent", "eventlet"], default="gevent")
    conns.add_argument("--processes", type=int, default=0, help="client processes (0 = auto)")
    conns.set_defaults(func=run_connections)


def run(args: argparse.Namespace) -> int:
    from .votes import main  # noqa: PLC0415

    return main(args)


def run_connections(args: argparse.Namespace) -> int:
    from .connections import main  # noqa: PLC0415

    return main(args)


def run_sign(args: argparse.Namespace) -> int:
    from .sign import main  # noqa: PLC0415

    return main(args)
