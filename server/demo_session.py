"""`hoitruong demo --out DIR`: a scripted sitting, and the signed documents it produces.

Attendance (two delegates absent), three polls (one fails), then the vote-result records, the
minutes and one resolution go through the same services and signing steps as in the hall:
the chair certifies, the secretary approves, the clerk numbers and seals, all with test
certificates and timestamps from a local timestamp authority. Everything is written to DIR.
"""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from server.db import migrate
from server.db.engine import Database
from server.db.models import Meeting, StaffUser
from server.domain.enums import CouncilLevel, Role, ThresholdRule
from server.schemas import ResolutionDraftIn
from server.services import document_signing as signing_flow
from server.services import documents as docs
from server.services import drafts
from server.services import polls
from server.services.ballots import BallotRequest, cast_batch
from server.services.common import Principal
from server.services.identity import create_staff, sign_in_delegate, staff_principal
from server.services.setup import DEMO_AGENDA, DEMO_SIGNERS, add_delegates, create_council, create_meeting

SEAL_NAME = "Văn phòng HĐND xã Tân Phú"
POLLS = [
    # (agenda index, question, yes share: a fraction of those present)
    (1, "Thông qua Báo cáo kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2026", 0.9),
    (3, "Thông qua Nghị quyết về kế hoạch đầu tư công năm 2027", 0.8),
    (2, "Thông qua phương án điều chỉnh dự toán thu ngân sách xã năm 2027", 0.3),
]


def _slug(number: str | None, fallback: str) -> str:
    if not number:
        return fallback
    return number.replace("/", "-").replace("Đ", "D").lower()


def run_demo(out: Path, *, delegates: int = 15) -> dict[str, Any]:
    """Run the sitting and write its signed PDFs into ``out``; a summary of what was written."""
    from signing.pki import init_dev_pki  # noqa: PLC0415
    from signing.tsa import dev_tsa  # noqa: PLC0415
    from signing.verify import verify_pdf  # noqa: PLC0415

    out.mkdir(parents=True, exist_ok=True)
    work = out / ".work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    pki = init_dev_pki(
        out / "pki",
        {"chutoa": DEMO_SIGNERS["chutoa"][1], "thuky": DEMO_SIGNERS["thuky"][1], "dauco": SEAL_NAME},
    )
    key_files = {"chutoa": "chutoa", "thuky": "thuky", "vanphong": "dauco"}
    db = Database(f"sqlite:///{work / 'demo.sqlite3'}")
    migrate.upgrade(db)
    staff, meeting_id, present = _sitting(db, delegates, pki, key_files)
    written: list[dict[str, Any]] = []
    with dev_tsa(pki.directory) as tsa_url:
        settings = docs.Settings(
            instance_path=work, public_base_url="http://127.0.0.1:5000", timestamp_url=tsa_url,
            trust_roots=(pki.root_pem,),
        )
        poll_ids = _vote(db, staff["chutoa"], meeting_id, present)
        secrets = {user: pki.signers[f].passphrase for user, f in key_files.items()}
        doc_ids = []
        with db.session() as s:
            for poll_id in poll_ids:
                doc_ids.append(drafts.ensure_vote_record(s, poll_id, settings).id)
            minutes = drafts.draft_minutes(s, staff["thuky"], meeting_id, settings)
            s.commit()
            draft = dict(minutes.draft)
            doc_ids.append(minutes.id)
        draft["items"][1]["summary"] = (
            "Đại biểu thảo luận, đề nghị làm rõ nguồn vốn và tiến độ các công trình giao thông nông thôn."
        )
        draft["items"][1]["speakers"] = ["Đại biểu Phạm Văn Đức", "Đại biểu Hoàng Thị Mai"]
        draft["corrections"] = [
            {"what": "Sửa số liệu tổng vốn tại trang 2 tờ trình từ 12,5 tỷ thành 12,8 tỷ đồng",
             "reason": "Ghi nhầm khi in tờ trình"}
        ]
        with db.session() as s:
            drafts.update_draft(s, staff["thuky"], minutes.id, draft, settings)
            resolution = drafts.draft_resolution(
                s, staff["vanphong"], meeting_id, _resolution_text(poll_ids[1]), settings
            )
            s.commit()
            doc_ids.append(resolution.id)
        for doc_id in doc_ids:
            _sign_through(db, doc_id, staff, secrets, settings)
        with db.session() as s:
            for index, doc_id in enumerate(doc_ids, start=1):
                doc = docs.get_document(s, doc_id)
                content = docs.latest_version(s, doc).content
                name = f"{index:02d}-{doc.kind.replace('_', '-')}-{_slug(doc.number, str(doc.id))}.pdf"
                (out / name).write_bytes(content)
                report = verify_pdf(content, trust_roots=pki.trust_roots())
                written.append({
                    "file": str(out / name), "kind": doc.kind, "number": doc.number,
                    "title": doc.title, "signatures": len(report.signatures), "valid": report.ok,
                })
    shutil.rmtree(work, ignore_errors=True)
    (out / "README.txt").write_text(
        "Hội trường số — tài liệu của kỳ họp thử nghiệm (chứng thư thử nghiệm)\n\n"
        + "\n".join(f"{Path(w['file']).name}: {w['title']}" for w in written)
        + f"\n\nKiểm tra: hoitruong verify TỆP.pdf --trust {pki.root_pem}\n",
        encoding="utf-8",
    )
    return {"out": str(out), "trust_root": str(pki.root_pem), "documents": written}


def _sitting(
    db: Database, delegates: int, pki: Any, key_files: dict[str, str]
) -> tuple[dict[str, Principal], int, list[Principal]]:
    with db.session() as s:
        council = create_council(
            s, name="Hội đồng nhân dân xã Tân Phú", level=CouncilLevel.COMMUNE,
            locality="xã Tân Phú", total_seats=delegates,
        )
        credentials = add_delegates(s, council, delegates, pin="2468")
        meeting = create_meeting(
            s, council,
            title="Kỳ họp thứ Năm, Hội đồng nhân dân xã Tân Phú khóa I, nhiệm kỳ 2026 - 2031",
            agenda=DEMO_AGENDA,
        )
        meeting.location = "Hội trường UBND xã Tân Phú"
        s.commit()
        staff = {}
        for username, (role, name) in DEMO_SIGNERS.items():
            view = create_staff(s, username=username, password=uuid.uuid4().hex, roles=[role],
                                council_id=council.id, display_name=name)
            staff[username] = staff_principal(view)
        for user in s.query(StaffUser):
            if user.username in key_files:
                path = pki.signers[key_files[user.username]].p12_path
                user.signing_key = {"type": "pkcs12", "path": str(path)}
        s.commit()
        present = [
            sign_in_delegate(s, card_code=c.card_code, pin=c.pin, device_id=f"demo-{c.id:05d}",
                             device_label="", address="127.0.0.1", max_failures=5,
                             lock_seconds=300).principal
            for c in credentials[: delegates - 2]
        ]
        meeting_id = meeting.id
    return staff, meeting_id, present


def _vote(db: Database, chair: Principal, meeting_id: int, present: list[Principal]) -> list[int]:
    poll_ids = []
    with db.session() as s:
        meeting = s.get(Meeting, meeting_id)
        assert meeting is not None
        items = [item.id for item in meeting.agenda]
    for index, question, share in POLLS:
        with db.session() as s:
            poll = polls.create_poll(s, chair, meeting_id=meeting_id, agenda_item_id=items[index],
                                     question=question, rule=ThresholdRule.MAJORITY_OF_TOTAL)
            poll_id = int(poll.data["poll"]["id"])
            polls.open_poll(s, chair, meeting_id=meeting_id, poll_id=poll_id)
            s.commit()
            yes = round(len(present) * share)
            choices = ["yes"] * yes + ["no", "abstain"] * len(present)
            # the last present delegate does not vote: the record names them
            cast_batch(s, [BallotRequest(d, uuid.uuid4().hex, poll_id, choices[i])
                           for i, d in enumerate(present[:-1])])
            polls.close_poll(s, chair, meeting_id=meeting_id, poll_id=poll_id)
            s.commit()
        poll_ids.append(poll_id)
    return poll_ids


def _resolution_text(poll_id: int) -> ResolutionDraftIn:
    return ResolutionDraftIn(
        poll_id=poll_id,
        title="Về kế hoạch đầu tư công năm 2027 của xã Tân Phú",
        session_line="khóa I, Kỳ họp thứ Năm",
        bases=[
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
            "Căn cứ Luật Đầu tư công ngày 29 tháng 11 năm 2024",
            "Căn cứ Luật Ban hành văn bản quy phạm pháp luật ngày 19 tháng 02 năm 2025",
        ],
        considering=(
            "Xét Tờ trình số 45/TTr-UBND ngày 10 tháng 11 năm 2026 của Ủy ban nhân dân xã về kế "
            "hoạch đầu tư công năm 2027; Báo cáo thẩm tra của Ban Kinh tế - Xã hội Hội đồng nhân "
            "dân xã; ý kiến thảo luận của đại biểu Hội đồng nhân dân xã tại kỳ họp."
        ),
        articles=[
            "Thông qua kế hoạch đầu tư công năm 2027 của xã Tân Phú với tổng vốn 12,8 tỷ đồng, "
            "gồm 5 công trình giao thông nông thôn, 2 công trình trường học và 1 nhà văn hóa ấp.",
            "Giao Ủy ban nhân dân xã tổ chức thực hiện Nghị quyết này; Thường trực Hội đồng nhân "
            "dân, các Ban và đại biểu Hội đồng nhân dân xã giám sát việc thực hiện.",
        ],
        recipients=["- Thường trực HĐND xã;", "- UBND xã;", "- Đại biểu HĐND xã;", "- Lưu: VT."],
    )


def _sign_through(
    db: Database, doc_id: int, staff: dict[str, Principal], secrets: dict[str, str],
    settings: docs.Settings,
) -> None:
    by_role = {Role.CHAIR: "chutoa", Role.SECRETARY: "thuky", Role.CLERK: "vanphong"}
    while True:
        with db.session() as s:
            step = docs.next_step(s, docs.get_document(s, doc_id))
            if step is None:
                signing_flow.publish(s, staff["vanphong"], doc_id)
                s.commit()
                return
            user = by_role[step.role]
            if step.field is None:
                signing_flow.assign_number(s, staff[user], doc_id, settings)
            else:
                signing_flow.sign(s, staff[user], doc_id, field_name=step.field, secret=secrets[user],
                          settings=settings)
            s.commit()
