"""Signed documents through the services: record on close, signing steps, number, publish."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from server.db.models import DocumentVersion
from server.domain.enums import Role
from server.domain.errors import HallError
from server.services import archive, drafts
from server.services import document_signing as signing_flow
from server.services import documents as docs
from server.services import polls
from server.services.ballots import BallotRequest, cast_batch
from server.services.common import Principal
from server.services.identity import create_staff, staff_principal
from signing.pki import DevPki, init_dev_pki
from signing.verify import verify_pdf

from .builders import Hall, chair_do, make_hall, op, open_poll


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return init_dev_pki(
        tmp_path_factory.mktemp("pki"),
        {"chutoa": "Nguyễn Văn An", "thuky": "Trần Thị Bình", "dauco": "Văn phòng HĐND xã A"},
    )


@dataclass
class Staff:
    chair: Principal
    secretary: Principal
    clerk: Principal


def _settings(pki: DevPki, tmp_path: Path) -> docs.Settings:
    return docs.Settings(
        instance_path=tmp_path, public_base_url="http://hall.test", trust_roots=(pki.root_pem,)
    )


def _staff(hall: Hall, pki: DevPki) -> Staff:
    made = {}
    with hall.db.session() as s:
        for username, role, key, name in [
            ("thuky", Role.SECRETARY, "thuky", "Trần Thị Bình"),
            ("vanphong", Role.CLERK, "dauco", "Lê Thu Hà"),
        ]:
            view = create_staff(s, username=f"{username}-{hall.council_id}", password="pw-123456",
                                roles=[role], council_id=hall.council_id, display_name=name)
            made[username] = staff_principal(view)
        from server.db.models import StaffUser  # noqa: PLC0415

        for user in s.query(StaffUser).filter(StaffUser.council_id == hall.council_id):
            file = {"chair": "chutoa", "secretary": "thuky", "clerk": "dauco"}[user.roles[0]]
            user.signing_key = {"type": "pkcs12", "path": str(pki.signers[file].p12_path)}
        s.commit()
    return Staff(hall.chair, made["thuky"], made["vanphong"])


def _closed_poll(hall: Hall, yes: int) -> int:
    poll_id = open_poll(hall)
    with hall.db.session() as s:
        cast_batch(s, [BallotRequest(d, op(), poll_id, "yes") for d in hall.delegates[:yes]])
    chair_do(hall, polls.close_poll, poll_id=poll_id)
    return poll_id


def _secret(pki: DevPki, name: str) -> str:
    return pki.signers[name].passphrase


def _all_valid(pki: DevPki, content: bytes, count: int) -> None:
    report = verify_pdf(content, trust_roots=pki.trust_roots())
    assert len(report.signatures) == count
    assert report.ok, report


def test_the_record_of_a_closed_poll_goes_through_every_step_and_is_published(db, pki, tmp_path):
    hall = make_hall(db, seats=5)
    staff = _staff(hall, pki)
    settings = _settings(pki, tmp_path)
    poll_id = _closed_poll(hall, yes=4)
    with db.session() as s:
        doc = drafts.ensure_vote_record(s, poll_id, settings)
        again = drafts.ensure_vote_record(s, poll_id, settings)
        s.commit()
        doc_id = doc.id
        assert again.id == doc.id
        first = docs.latest_version(s, doc).content
    steps = [
        (staff.chair, "sign:ChuToa", "chutoa"),
        (staff.secretary, "sign:ThuKy", "thuky"),
        (staff.clerk, "number", None),
        (staff.clerk, "sign:DauCoQuan", "dauco"),
    ]
    signatures = 0
    for principal, key, secret in steps:
        with db.session() as s:
            if key == "number":
                signing_flow.assign_number(s, principal, doc_id, settings)
            else:
                signatures += 1
                signing_flow.sign(s, principal, doc_id, field_name=key.split(":")[1],
                          secret=_secret(pki, secret), settings=settings)
            s.commit()
        with db.session() as s:
            content = docs.latest_version(s, docs.get_document(s, doc_id)).content
        if signatures:
            _all_valid(pki, content, signatures)
    with db.session() as s:
        doc = docs.get_document(s, doc_id)
        assert doc.state == "signed" and doc.number == "1/BB-HĐND"
        view = docs.document_view(s, doc, staff.clerk)
        assert [v["step"] for v in view["versions"]] == ["render", *(k for _, k, _ in steps)]
        assert all(step["done"] for step in view["steps"])
        # the first file is still there, byte for byte: nothing is overwritten
        assert docs.get_version(s, doc, 1).content == first
        public_id = doc.public_id
        signing_flow.publish(s, staff.clerk, doc_id)
        s.commit()
    with db.session() as s:
        listed = archive.public_documents(s, query="bien ban ket qua")
        assert [d["public_id"] for d in listed["documents"]] == [public_id]
        assert listed["documents"][0]["number"] == "1/BB-HĐND"


def test_steps_are_refused_out_of_turn_to_the_wrong_role_and_with_a_wrong_passphrase(
    db, pki, tmp_path
):
    hall = make_hall(db, seats=3)
    staff = _staff(hall, pki)
    settings = _settings(pki, tmp_path)
    poll_id = _closed_poll(hall, yes=2)
    with db.session() as s:
        doc_id = drafts.ensure_vote_record(s, poll_id, settings).id
        s.commit()

    def attempt(principal: Principal, field: str, secret: str) -> str:
        with db.session() as s:
            with pytest.raises(HallError) as caught:
                signing_flow.sign(s, principal, doc_id, field_name=field, secret=secret, settings=settings)
        return caught.value.code

    assert attempt(staff.secretary, "ThuKy", _secret(pki, "thuky")) == "not_your_turn"
    assert attempt(staff.secretary, "ChuToa", _secret(pki, "thuky")) == "wrong_signer"
    assert attempt(staff.chair, "ChuToa", "not the passphrase") == "wrong_password"
    with db.session() as s:
        with pytest.raises(HallError) as caught:
            signing_flow.assign_number(s, staff.clerk, doc_id, settings)
        assert caught.value.code == "not_your_turn"
        assert s.query(DocumentVersion).filter_by(document_id=doc_id).count() == 1
        with pytest.raises(HallError) as caught:
            signing_flow.publish(s, staff.clerk, doc_id)
        assert caught.value.code == "not_signed"


def test_numbers_follow_the_register_per_code_and_year(db, pki, tmp_path):
    hall = make_hall(db, seats=3)
    staff = _staff(hall, pki)
    settings = _settings(pki, tmp_path)
    numbers = []
    for _ in range(2):
        poll_id = _closed_poll(hall, yes=2)
        with db.session() as s:
            doc_id = drafts.ensure_vote_record(s, poll_id, settings).id
            s.commit()
        for principal, field, secret in [(staff.chair, "ChuToa", "chutoa"),
                                         (staff.secretary, "ThuKy", "thuky")]:
            with db.session() as s:
                signing_flow.sign(s, principal, doc_id, field_name=field, secret=_secret(pki, secret),
                          settings=settings)
                s.commit()
        with db.session() as s:
            signing_flow.assign_number(s, staff.clerk, doc_id, settings)
            s.commit()
            numbers.append(docs.get_document(s, doc_id).number)
    assert numbers == ["1/BB-HĐND", "2/BB-HĐND"]


def test_minutes_are_drafted_from_the_session_edited_then_locked_by_the_first_signature(
    db, pki, tmp_path
):
    hall = make_hall(db, seats=3)
    staff = _staff(hall, pki)
    settings = _settings(pki, tmp_path)
    _closed_poll(hall, yes=3)
    with db.session() as s:
        doc = drafts.draft_minutes(s, staff.secretary, hall.meeting_id, settings)
        s.commit()
        doc_id = doc.id
        draft = dict(doc.draft)
        assert [i["title"] for i in draft["items"]] == ["Khai mạc", "Nghị quyết"]
    draft["items"][0]["summary"] = "Đồng chí Chủ tịch phát biểu khai mạc kỳ họp."
    draft["items"][0]["speakers"] = ["Đại biểu Phạm Văn Đức"]
    draft["corrections"] = [{"what": "Sửa tên đại biểu", "reason": "Ghi nhầm chính tả"}]
    with db.session() as s:
        drafts.update_draft(s, staff.secretary, doc_id, draft, settings)
        s.commit()
        assert docs.latest_version(s, docs.get_document(s, doc_id)).version == 2
    with db.session() as s:
        with pytest.raises(HallError) as caught:
            drafts.update_draft(s, hall.chair, doc_id, draft, settings)
        assert caught.value.code == "forbidden"
    with db.session() as s:
        signing_flow.sign(s, staff.chair, doc_id, field_name="ChuToa", secret=_secret(pki, "chutoa"),
                  settings=settings)
        s.commit()
    with db.session() as s:
        with pytest.raises(HallError) as caught:
            drafts.update_draft(s, staff.secretary, doc_id, draft, settings)
        assert caught.value.code == "already_signed"


def test_a_resolution_needs_a_poll_that_passed(db, pki, tmp_path):
    from server.schemas import ResolutionDraftIn  # noqa: PLC0415

    hall = make_hall(db, seats=5)
    staff = _staff(hall, pki)
    settings = _settings(pki, tmp_path)
    failed = _closed_poll(hall, yes=2)
    passed = _closed_poll(hall, yes=4)
    with db.session() as s:
        clerk = staff.clerk
        text = {
            "title": "Về việc thông qua kế hoạch đầu tư công năm 2027",
            "bases": ["Căn cứ Luật Tổ chức chính quyền địa phương"],
            "articles": ["Thông qua kế hoạch.", "Giao UBND xã tổ chức thực hiện."],
        }
        with pytest.raises(HallError) as caught:
            drafts.draft_resolution(s, clerk, hall.meeting_id,
                                  ResolutionDraftIn(poll_id=failed, **text), settings)
        assert caught.value.code == "poll_not_passed"
        doc = drafts.draft_resolution(s, clerk, hall.meeting_id,
                                    ResolutionDraftIn(poll_id=passed, **text), settings)
        s.commit()
        view = docs.document_view(s, doc, clerk)
    assert [step["key"] for step in view["steps"]] == ["sign:ChuTich", "number", "sign:DauCoQuan"]
    assert view["kind"] == "resolution" and view["editable"]


def test_the_minutes_state_quorum_by_the_councils_rule(db, pki, tmp_path):
    """Three of five present is more than half but less than the two thirds a sitting needs."""
    from server.services.drafts import _minutes_record  # noqa: PLC0415

    hall = make_hall(db, seats=5, signed_in=3)
    staff = _staff(hall, pki)
    with db.session() as s:
        doc = drafts.draft_minutes(s, staff.secretary, hall.meeting_id, _settings(pki, tmp_path))
        line = _minutes_record(s, doc, "http://hall.test").quorum_line
    assert line == "Có mặt 3/5 đại biểu (60,00%), không đủ số lượng để tiến hành kỳ họp."
