"""`hoitruong` commands: serve, db upgrade, demo seeding, user admin, benchmarks.

Nothing here imports Flask, gevent or eventlet at module level: `serve` must monkey-patch the
standard library for its async mode before anything else is imported.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# File descriptors kept for the database, log files and the listening socket.
FD_RESERVE = 512


def _patch(mode: str) -> None:
    """The one place that knows gevent and eventlet: patch before importing the app."""
    if mode == "gevent":
        from gevent import monkey  # noqa: PLC0415

        monkey.patch_all()
    elif mode == "eventlet":
        import eventlet  # noqa: PLC0415

        eventlet.monkey_patch()


def raise_open_files_limit(wanted: int) -> int:
    """Each connection is a file descriptor; lift the soft limit as far as the hard one allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _instance(args: argparse.Namespace) -> None:
    if getattr(args, "instance", None):
        os.environ["HOITRUONG_INSTANCE"] = str(Path(args.instance).resolve())


def _app(**overrides: Any):  # type: ignore[no-untyped-def]
    from server import create_app  # noqa: PLC0415

    return create_app({k: v for k, v in overrides.items() if v is not None})


def cmd_serve(args: argparse.Namespace) -> int:
    mode = args.async_mode or os.environ.get("HOITRUONG_ASYNC_MODE", "gevent")
    _patch(mode)
    _instance(args)
    app = _app(ASYNC_MODE=mode, DATABASE_URL=args.database_url)
    host = args.host or app.config["HOST"]
    port = args.port or app.config["PORT"]
    backlog = app.config["LISTEN_BACKLOG"]
    nofile = raise_open_files_limit(app.config["MAX_CONNECTIONS"] + FD_RESERVE)
    max_connections = min(app.config["MAX_CONNECTIONS"], nofile - FD_RESERVE)
    if max_connections < app.config["MAX_CONNECTIONS"]:
        print(
            f"warning: the open-files limit ({nofile}) allows only {max_connections} connections, "
            f"not {app.config['MAX_CONNECTIONS']}; raise it (ulimit -n, or LimitNOFILE= in systemd)",
            file=sys.stderr,
        )
    db = app.extensions["hall_db"]
    if not args.no_migrate:
        from server.db import migrate  # noqa: PLC0415

        migrate.upgrade(db)
    _print_banner(app, host, port, mode, max_connections)
    _tune_gc(app.config["GC_THRESHOLDS"])
    _run(app, mode, host, port, backlog=backlog, max_connections=max_connections)
    return 0


def _tune_gc(thresholds: tuple[int, int, int] | str) -> None:
    """Keep full garbage collections out of a ballot storm.

    Thousands of connections keep hundreds of thousands of objects alive; a full collection then
    stops the only worker thread for most of a second. Objects made at start-up are frozen out of
    collection, and collections run less often (cycles are still collected).
    """
    if isinstance(thresholds, str):
        thresholds = tuple(int(part) for part in thresholds.split(","))  # type: ignore[assignment]
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)


def _run(app: Any, mode: str, host: str, port: int, *, backlog: int, max_connections: int) -> None:
    if mode == "gevent":
        from gevent.pool import Pool  # noqa: PLC0415
        from gevent.pywsgi import WSGIHandler, WSGIServer  # noqa: PLC0415

        class Handler(WSGIHandler):  # type: ignore[misc]
            """After a WebSocket ends, close the TCP connection instead of reading its last
            frames as a new HTTP request (which logs "Invalid HTTP method" and makes the
            client wait for its close handshake)."""

            def get_environ(self) -> dict[str, Any]:
                environ: dict[str, Any] = super().get_environ()
                # simple-websocket takes the socket from this key as it is; without it, it
                # dup()s the socket, and every WebSocket then costs two file descriptors.
                environ["gunicorn.socket"] = self.socket
                return environ

            def run_application(self) -> None:
                upgrade = self.environ.get("HTTP_UPGRADE", "").lower() == "websocket"
                try:
                    super().run_application()
                except StopIteration:
                    # Engine.IO's WebSocket app ends this way; it is not an error to log.
                    if not upgrade:
                        raise
                finally:
                    if upgrade:
                        self.close_connection = True

        server = WSGIServer(
            (host, port),
            app,
            backlog=backlog,
            spawn=Pool(max_connections),
            handler_class=Handler,
            log=None,
        )
        server.serve_forever()
    elif mode == "eventlet":
        import eventlet  # noqa: PLC0415
        import eventlet.wsgi  # noqa: PLC0415

        sock = eventlet.listen((host, port), backlog=backlog)
        eventlet.wsgi.server(sock, app, max_size=max_connections, log_output=False)
    else:
        from server.extensions import socketio  # noqa: PLC0415

        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)


def _print_banner(app: Any, host: str, port: int, mode: str, max_connections: int) -> None:
    base = f"http://{host}:{port}"
    lines = [
        f"Hội trường số — máy chủ đang chạy tại {base}  "
        f"(async: {mode}, tối đa {max_connections} kết nối)"
    ]
    from server.db.models import Meeting  # noqa: PLC0415

    with app.extensions["hall_db"].session() as s:
        meetings = s.query(Meeting).order_by(Meeting.id).limit(3).all()
        for m in meetings:
            lines += [
                f"  Kỳ họp {m.id}: {m.title}",
                f"    Văn phòng (clerk):   {base}/clerk/meetings/{m.id}",
                f"    Chủ tọa (chair):     {base}/chair/meetings/{m.id}",
                f"    Máy chiếu:           {base}/projector/meetings/{m.id}?key={m.display_key}",
                f"    Biên bản, nghị quyết: {base}/meetings/{m.id}/documents",
            ]
    lines.append(f"  Máy tính bảng đại biểu: {base}/tablet")
    lines.append(f"  Văn bản công khai:      {base}/cong-khai/")
    demo = Path(app.instance_path) / "demo"
    if (demo / "README.txt").exists():
        lines.append(f"  Thẻ đăng nhập và mật khẩu thử nghiệm: {demo / 'README.txt'} và {demo / 'cards.pdf'}")
    print("\n".join(lines), flush=True)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    _instance(args)
    from server.db import migrate  # noqa: PLC0415
    from server.db.engine import Database  # noqa: PLC0415

    app = _app(DATABASE_URL=args.database_url)
    db: Database = app.extensions["hall_db"]
    migrate.upgrade(db)
    print(f"database is up to date: {db.engine.url.render_as_string(hide_password=True)}")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    _instance(args)
    from server.demo import write_demo  # noqa: PLC0415

    app = _app(DATABASE_URL=args.database_url)
    written = write_demo(app, delegates=args.delegates, if_empty=args.if_empty)
    print(written or "a meeting exists already; nothing seeded")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    _instance(args)
    from server.domain.enums import Role  # noqa: PLC0415
    from server.services.identity import create_staff  # noqa: PLC0415

    app = _app()
    password = args.password or os.environ.get("HOITRUONG_NEW_PASSWORD")
    if not password:
        import getpass  # noqa: PLC0415

        password = getpass.getpass("Mật khẩu: ")
    with app.extensions["hall_db"].session() as s:
        view = create_staff(
            s,
            username=args.username,
            password=password,
            roles=[Role(r) for r in args.role],
            council_id=args.council,
            display_name=args.name or args.username,
        )
    print(json.dumps({"id": view.id, "username": view.username, "roles": list(view.roles)}))
    return 0


def _instance_path(args: argparse.Namespace) -> Path:
    _instance(args)
    return Path(os.environ.get("HOITRUONG_INSTANCE") or ROOT / "instance")


def cmd_user_key(args: argparse.Namespace) -> int:
    _instance(args)
    from server.services.setup import set_signing_key  # noqa: PLC0415

    key: dict[str, str] | None
    if args.none:
        key = None
    elif args.pkcs12:
        key = {"type": "pkcs12", "path": args.pkcs12}
    else:
        key = {"type": "pkcs11", "lib": args.pkcs11_lib}
        if args.token_label:
            key["token_label"] = args.token_label
        if args.key_id:
            key["key_id"] = args.key_id
    from server.domain.errors import HallError  # noqa: PLC0415

    app = _app()
    with app.extensions["hall_db"].session() as s:
        try:
            set_signing_key(s, args.username, key)
        except HallError as error:
            print(error.message, file=sys.stderr)
            return 1
        s.commit()
    print(json.dumps({"username": args.username, "signing_key": key}, ensure_ascii=False))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from server.demo_session import run_demo  # noqa: PLC0415

    summary = run_demo(Path(args.out), delegates=args.delegates)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def cmd_pki_init(args: argparse.Namespace) -> int:
    from signing.pki import init_dev_pki  # noqa: PLC0415

    directory = Path(args.dir) if args.dir else _instance_path(args) / "pki"
    pki = init_dev_pki(directory, {"chutoa": args.chair, "thuky": args.secretary, "dauco": args.seal})
    print(json.dumps({
        "directory": str(pki.directory),
        "root": str(pki.root_pem),
        "intermediate": str(pki.intermediate_pem),
        "signers": {k: str(v.p12_path) for k, v in pki.signers.items()},
        "note": "chứng thư thử nghiệm — development certificates, not for real records",
    }, ensure_ascii=False, indent=2))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 only if every signature is intact, trusted and nothing disallowed changed."""
    from signing.pki import load_certificate  # noqa: PLC0415
    from signing.verify import report_to_dict, report_to_text, verify_pdf  # noqa: PLC0415

    default_root = _instance_path(args) / "pki" / "root.pem"
    trust = [Path(p) for p in args.trust] if args.trust else [default_root] * default_root.exists()
    roots = [load_certificate(p) for p in trust]
    report = verify_pdf(Path(args.file).read_bytes(), trust_roots=roots)
    if args.json:
        print(json.dumps(report_to_dict(report), ensure_ascii=False, indent=2, default=str))
    else:
        print(report_to_text(report))
    return 0 if report.ok else 1


def cmd_bench(args: argparse.Namespace) -> int:
    from server.bench import run as bench_run  # noqa: PLC0415

    return bench_run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hoitruong", description="Hội trường số")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start the hall server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--async-mode", choices=["gevent", "eventlet", "threading"])
    serve.add_argument("--database-url")
    serve.add_argument("--instance", help="instance folder (database, secret key, files)")
    serve.add_argument("--no-migrate", action="store_true")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="run the migrations")
    upgrade.add_argument("--database-url")
    upgrade.add_argument("--instance")
    upgrade.set_defaults(func=cmd_db_upgrade)

    seed = sub.add_parser("seed-demo", help="create the demo council, meeting, cards and accounts")
    seed.add_argument("--delegates", type=int, default=30)
    seed.add_argument("--if-empty", action="store_true", help="do nothing if a meeting exists")
    seed.add_argument("--database-url")
    seed.add_argument("--instance")
    seed.set_defaults(func=cmd_seed_demo)

    user = sub.add_parser("user", help="staff accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create a staff account")
    add.add_argument("username")
    add.add_argument("--role", action="append", required=True,
                     choices=["admin", "clerk", "chair", "secretary"])
    add.add_argument("--council", type=int)
    add.add_argument("--name")
    add.add_argument("--password", help="prefer HOITRUONG_NEW_PASSWORD or the prompt")
    add.add_argument("--instance")
    add.set_defaults(func=cmd_user_add)

    pki = sub.add_parser("pki", help="development certificates")
    pki_sub = pki.add_subparsers(dest="pki_command", required=True)
    pki_init = pki_sub.add_parser("init", help="create a test CA and demo signer keys (PKCS#12)")
    pki_init.add_argument("--dir", help="where to write (default: instance/pki)")
    pki_init.add_argument("--chair", default="Nguyễn Văn An", help="the chair's full name")
    pki_init.add_argument("--secretary", default="Trần Thị Bình", help="the secretary's full name")
    pki_init.add_argument("--seal", default="Văn phòng HĐND xã Tân Phú",
                          help="the office whose seal the clerk applies")
    pki_init.add_argument("--instance")
    pki_init.set_defaults(func=cmd_pki_init)

    verify = sub.add_parser("verify", help="check the signatures of a signed PDF (exit 1 if not ok)")
    verify.add_argument("file")
    verify.add_argument("--json", action="store_true")
    verify.add_argument("--trust", action="append",
                        help="a trusted root certificate (PEM); default: instance/pki/root.pem")
    verify.add_argument("--instance")
    verify.set_defaults(func=cmd_verify)

    key = user_sub.add_parser("key", help="give a staff account a server-held signing key")
    key.add_argument("username")
    source = key.add_mutually_exclusive_group(required=True)
    source.add_argument("--pkcs12", help="a PKCS#12 file (relative paths: inside the instance)")
    source.add_argument("--pkcs11-lib", help="a PKCS#11 module for a token plugged into the server")
    source.add_argument("--none", action="store_true", help="remove the key (remote signing only)")
    key.add_argument("--token-label")
    key.add_argument("--key-id", help="the key's CKA_ID in hex")
    key.add_argument("--instance")
    key.set_defaults(func=cmd_user_key)

    from server import signclient  # noqa: PLC0415

    signclient.add_parser(sub)

    demo = sub.add_parser("demo", help="run a scripted session and write its signed PDFs")
    demo.add_argument("--out", required=True, help="the folder to write into")
    demo.add_argument("--delegates", type=int, default=15)
    demo.set_defaults(func=cmd_demo)

    from server.bench import add_parser as add_bench  # noqa: PLC0415

    add_bench(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
