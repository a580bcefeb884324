"""`hoitruong bench sign --count N`: render, sign and verify N vote-result records; one JSON object.

Figures: render_ms_p50, sign_bb_ms_p50 (the chair's certifying PAdES B-B signature),
sign_bt_ms_p50 (the secretary's B-T signature against a timestamp authority on 127.0.0.1),
sign_lt_ms_p50 (the chair's PAdES B-LT certification: B-T plus the CRLs in the document
security store), verify_ms_p50 (both signatures of the B-B/B-T record),
close_to_signed_record_ms (poll close → record rendered → the chair's signature with the
server-held key → PDF on disk, through the hall's services on SQLite, from cold).
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def _timed(samples: list[float], work: Callable[[], T]) -> T:
    started = time.perf_counter()
    value = work()
    samples.append((time.perf_counter() - started) * 1000)
    return value


def _p50(samples: list[float]) -> float:
    return round(statistics.median(samples), 1)


def _open_poll(folder: Path) -> tuple[Any, int, Any, int]:
    """A SQLite hall with a poll that 28 of 30 delegates voted in, still open."""
    from server.db import migrate  # noqa: PLC0415
    from server.db.engine import Database  # noqa: PLC0415
    from server.db.models import Meeting  # noqa: PLC0415
    from server.domain.enums import Role, ThresholdRule  # noqa: PLC0415
    from server.services import polls  # noqa: PLC0415
    from server.services.ballots import BallotRequest, cast_batch  # noqa: PLC0415
    from server.services.identity import (  # noqa: PLC0415
        create_staff,
        sign_in_delegate,
        staff_principal,
    )
    from server.services.setup import seed_demo  # noqa: PLC0415

    db = Database(f"sqlite:///{folder / 'hall.sqlite3'}")
    migrate.upgrade(db)
    with db.session() as s:
        seeded = seed_demo(s, delegates=30, pin="2468")
        chair = staff_principal(create_staff(s, username="bench-chair", password="bench-pass-1",
                                             roles=[Role.CHAIR], council_id=seeded.council_id))
        delegates = [
            sign_in_delegate(s, card_code=d.card_code, pin=d.pin, device_id=f"bench-{d.id:05d}",
                             device_label="", address="127.0.0.1", max_failures=5,
                             lock_seconds=300).principal
            for d in seeded.delegates
        ]
        meeting = s.get(Meeting, seeded.meeting_id)
        assert meeting is not None
        item = meeting.agenda[2].id
        poll = polls.create_poll(s, chair, meeting_id=seeded.meeting_id, agenda_item_id=item,
                                 question="Thông qua Nghị quyết về dự toán ngân sách xã năm 2027",
                                 rule=ThresholdRule.MAJORITY_OF_TOTAL).data["poll"]
        polls.open_poll(s, chair, meeting_id=seeded.meeting_id, poll_id=poll["id"])
        s.commit()
        cast_batch(s, [BallotRequest(d, uuid.uuid4().hex, poll["id"], "yes" if i else "no")
                       for i, d in enumerate(delegates[:28])])
    return db, int(poll["id"]), chair, seeded.meeting_id


def main(args: argparse.Namespace) -> int:
    from server.db.models import StaffUser  # noqa: PLC0415
    from server.services import document_signing, drafts, polls  # noqa: PLC0415
    from server.services.documents import Settings, get_document, latest_version  # noqa: PLC0415
    from server.services.records import vote_record  # noqa: PLC0415
    from signing.pki import init_dev_pki  # noqa: PLC0415
    from signing.render import render_vote_record_with_fields  # noqa: PLC0415
    from signing.sign import load_signer, sign_pdf  # noqa: PLC0415
    from signing.tsa import dev_tsa  # noqa: PLC0415
    from signing.verify import verify_pdf  # noqa: PLC0415

    folder = Path(tempfile.mkdtemp(prefix="hoitruong-bench-sign-"))
    pki = init_dev_pki(folder / "pki", {"chutoa": "Đặng Quốc Hưng", "thuky": "Nguyễn Thị Ánh Tuyết"})
    roots = pki.trust_roots()
    db, poll_id, chair, meeting_id = _open_poll(folder)
    chair_file = pki.signers["chutoa"]
    with db.session() as s:
        user = s.get(StaffUser, chair.user_id)
        assert user is not None
        user.signing_key = {"type": "pkcs12", "path": str(chair_file.p12_path)}
        s.commit()
    settings = Settings(instance_path=folder, public_base_url="http://127.0.0.1:5000",
                        trust_roots=(pki.root_pem,))

    # Poll close → the record rendered as a document → the chair's B-B signature with the
    # server-held key → the file on disk, through the same services as the hall, from cold
    # (the key file is opened and the stamp font loaded by this first signature).
    started = time.perf_counter()
    with db.session() as s:
        polls.close_poll(s, chair, meeting_id=meeting_id, poll_id=poll_id)
        s.commit()
        doc_id = drafts.ensure_vote_record(s, poll_id, settings).id
        s.commit()
        document_signing.sign(s, chair, doc_id, field_name="ChuToa",
                              secret=chair_file.passphrase, settings=settings)
        s.commit()
        signed = latest_version(s, get_document(s, doc_id)).content
    (folder / f"bien-ban-{poll_id}.pdf").write_bytes(signed)
    close_to_signed_ms = (time.perf_counter() - started) * 1000

    chair_key = load_signer(chair_file.p12_path, chair_file.passphrase)
    secretary_key = load_signer(pki.signers["thuky"].p12_path, pki.signers["thuky"].passphrase)
    with db.session() as s:
        record = vote_record(s, poll_id, verify_url=f"http://127.0.0.1/verify/{poll_id}")

    def sign(pdf: bytes, key: Any, field: str, certify: bool, tsa: str | None) -> bytes:
        return sign_pdf(pdf, signer=key, field_name=field, certify=certify, signer_name=field,
                        reason="Ký biên bản kết quả biểu quyết", location="Tân Phú",
                        timestamp_url=tsa)

    render_ms: list[float] = []
    bb_ms: list[float] = []
    bt_ms: list[float] = []
    lt_ms: list[float] = []
    verify_ms: list[float] = []
    context = pki.validation_context()
    ok = 0
    with dev_tsa(pki.directory) as tsa_url:
        for _ in range(args.count):
            pdf = _timed(render_ms, lambda: render_vote_record_with_fields(record).pdf)
            pdf = _timed(bb_ms, lambda: sign(pdf, chair_key, "ChuToa", True, None))
            pdf = _timed(bt_ms, lambda: sign(pdf, secretary_key, "ThuKy", False, tsa_url))
            report = _timed(verify_ms, lambda: verify_pdf(pdf, trust_roots=roots))
            ok += bool(report.ok)
            _timed(lt_ms, lambda: sign_pdf(
                render_vote_record_with_fields(record).pdf, signer=chair_key, field_name="ChuToa",
                certify=True, signer_name="ChuToa", reason="Ký biên bản kết quả biểu quyết",
                location="Tân Phú", timestamp_url=tsa_url, long_term=True,
                validation_context=context,
            ))
    db.dispose()
    print(json.dumps({
        "count": args.count,
        "render_ms_p50": _p50(render_ms),
        "sign_bb_ms_p50": _p50(bb_ms),
        "sign_bt_ms_p50": _p50(bt_ms),
        "sign_lt_ms_p50": _p50(lt_ms),
        "verify_ms_p50": _p50(verify_ms),
        "close_to_signed_record_ms": round(close_to_signed_ms, 1),
        "verified_ok": ok,
    }), flush=True)
    return 0 if ok == args.count else 1
