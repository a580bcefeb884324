"""The public archive: only published documents, filters, search without diacritics, pages."""
from __future__ import annotations

import hashlib
import itertools
from datetime import date, datetime, timezone

import pytest

from server.db.engine import Database
from server.db.models import Council, Document, DocumentVersion, Meeting
from server.domain.errors import NotFound
from server.domain.text import fold
from server.services import archive
from server.services.archive import match_version, public_documents, public_facets
from server.services.documents import KIND_CODES, KIND_LABELS

from .builders import make_hall

_ids = itertools.count(1)
NOON = datetime(2026, 11, 28, 7, 5, tzinfo=timezone.utc)  # 14:05 in Hà Nội


def add_document(
    db: Database,
    meeting_id: int,
    *,
    title: str,
    kind: str = "resolution",
    published: bool = True,
    year: int = 2026,
    seq: int | None = None,
    content: bytes | None = None,
) -> str:
    """A document with one signed version, inserted as the signing flow would leave it."""
    with db.session() as s:
        meeting = s.get(Meeting, meeting_id)
        assert meeting is not None
        council = s.get(Council, meeting.council_id)
        assert council is not None
        n = next(_ids)
        seq = seq if seq is not None else n
        number = f"{seq}/{KIND_CODES[kind]}"
        doc = Document(
            council_id=council.id, meeting_id=meeting.id, kind=kind, code=KIND_CODES[kind],
            title=title, state="published" if published else "signing", draft={},
            issued_on=date(year, 11, 28), year=year, number_seq=seq, number=number,
            public_id=f"pub-{n:06d}", created_at=NOON,
            published_at=NOON if published else None,
            search_text=fold(" ".join([KIND_LABELS[kind], title, number, council.name])),
        )
        s.add(doc)
        s.flush()
        data = content if content is not None else f"%PDF-1.7 document {n}".encode()
        s.add(DocumentVersion(
            document_id=doc.id, version=1, step="sign:ChuTich", field="ChuTich", content=data,
            sha256=hashlib.sha256(data).hexdigest(), size=len(data), created_at=NOON,
            actor_name="Nguyễn Văn An", signer_name="NGUYỄN VĂN AN",
        ))
        public_id = doc.public_id
        s.commit()
    return public_id


def titles(db: Database, **filters: object) -> list[str]:
    with db.session() as s:
        listing = public_documents(s, **filters)  # type: ignore[arg-type]
    return [d["title"] for d in listing["documents"]]


def test_only_published_documents_are_listed(db):
    hall = make_hall(db, seats=1)
    add_document(db, hall.meeting_id, title="Nghị quyết đã công bố")
    add_document(db, hall.meeting_id, title="Nghị quyết đang ký", published=False)
    assert titles(db) == ["Nghị quyết đã công bố"]
    assert titles(db, query="dang ky") == []


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("nghi quyet dau tu", True),
        ("NGHỊ QUYẾT ĐẦU TƯ", True),
        ("Nghị quyết", True),
        ("dat dai", True),
        ("đất", True),
        ("Đ", True),
        ("dau tu cong 2027", False),
        ("ngân sách", False),
    ],
)
def test_search_matches_without_diacritics(db, query, found):
    hall = make_hall(db, seats=1)
    add_document(db, hall.meeting_id, title="Về kế hoạch đầu tư công và sử dụng đất đai")
    assert titles(db, query=query) == (
        ["Về kế hoạch đầu tư công và sử dụng đất đai"] if found else []
    )


def test_search_finds_the_number_and_the_council(db):
    hall = make_hall(db, seats=1, name="Đông Hòa")
    add_document(db, hall.meeting_id, title="Về ngân sách", seq=12)
    assert titles(db, query="12/nq-hdnd") == ["Về ngân sách"]
    assert titles(db, query="xa dong hoa") == ["Về ngân sách"]
    assert titles(db, query="13/nq-hdnd") == []


@pytest.mark.parametrize("wildcard", ["%", "_", "dau%tu", "d_u", "\\"])
def test_like_wildcards_in_the_query_are_literal(db, wildcard):
    hall = make_hall(db, seats=1)
    add_document(db, hall.meeting_id, title="Về đầu tư công")
    assert titles(db, query=wildcard) == []


def test_a_literal_percent_sign_is_found(db):
    hall = make_hall(db, seats=1)
    add_document(db, hall.meeting_id, title="Giảm 5% chi thường xuyên")
    add_document(db, hall.meeting_id, title="Giảm 5 khoản chi")
    assert titles(db, query="5%") == ["Giảm 5% chi thường xuyên"]


def test_filters_by_council_year_and_kind(db):
    first = make_hall(db, seats=1, name="A")
    second = make_hall(db, seats=1, name="B")
    add_document(db, first.meeting_id, title="A 2026 nghị quyết", seq=1)
    add_document(db, first.meeting_id, title="A 2025 nghị quyết", year=2025, seq=1)
    add_document(db, first.meeting_id, title="A 2026 biên bản", kind="vote_record", seq=1)
    add_document(db, second.meeting_id, title="B 2026 nghị quyết", seq=1)
    assert sorted(titles(db, council_id=first.council_id)) == [
        "A 2025 nghị quyết", "A 2026 biên bản", "A 2026 nghị quyết"]
    assert sorted(titles(db, year=2025)) == ["A 2025 nghị quyết"]
    assert sorted(titles(db, kind="vote_record")) == ["A 2026 biên bản"]
    assert titles(db, council_id=second.council_id, year=2025) == []
    assert sorted(titles(db, kind="not-a-kind")) == sorted(titles(db))
    with db.session() as s:
        facets = public_facets(s)
    assert [c["name"] for c in facets["councils"]] == ["HĐND xã A", "HĐND xã B"]
    assert facets["years"] == [2026, 2025]


def test_pages_cover_every_document_once_newest_number_first(db):
    hall = make_hall(db, seats=1)
    for seq in range(1, 8):
        add_document(db, hall.meeting_id, title=f"Nghị quyết {seq}", seq=seq)
    pages = [titles(db, page=p, per_page=3) for p in (1, 2, 3, 4)]
    assert pages == [
        ["Nghị quyết 7", "Nghị quyết 6", "Nghị quyết 5"],
        ["Nghị quyết 4", "Nghị quyết 3", "Nghị quyết 2"],
        ["Nghị quyết 1"],
        [],
    ]
    with db.session() as s:
        assert public_documents(s, page=0, per_page=3)["page"] == 1
        assert public_documents(s, per_page=3)["total"] == 7


def test_a_published_document_shows_its_history_in_hall_time(db):
    hall = make_hall(db, seats=1)
    public_id = add_document(db, hall.meeting_id, title="Về đầu tư công", seq=12)
    with db.session() as s:
        view = archive.published_document(s, public_id)
        file = archive.published_file(s, public_id)
    assert view.number == "12/NQ-HĐND" and view.council_name == "HĐND xã A"
    assert [(h.label, h.signer_name, h.at) for h in view.history] == [
        ("Chủ tịch HĐND ký", "NGUYỄN VĂN AN", "14:05 ngày 28/11/2026")]
    assert file.filename == "nghi-quyet-12-nq-hdnd-2026.pdf"
    assert file.sha256 == hashlib.sha256(file.content).hexdigest()


def test_an_unpublished_document_is_hidden_but_its_id_is_known_to_the_verify_page(db):
    hall = make_hall(db, seats=1)
    public_id = add_document(db, hall.meeting_id, title="Bí mật", published=False)
    with db.session() as s:
        with pytest.raises(NotFound) as hidden:
            archive.published_document(s, public_id)
        with pytest.raises(NotFound):
            archive.published_file(s, public_id)
        target = archive.check_target(s, public_id)
        with pytest.raises(NotFound) as unknown:
            archive.check_target(s, "no-such-id")
    assert hidden.value.code == "document_not_published"
    assert unknown.value.code == "document_not_found"
    assert target.published is False and target.document is None and target.content is None


def test_an_upload_is_matched_to_the_version_with_the_same_bytes(db):
    hall = make_hall(db, seats=1)
    public_id = add_document(db, hall.meeting_id, title="Về đầu tư", content=b"%PDF-1.7 exact", seq=3)
    digest = hashlib.sha256(b"%PDF-1.7 exact").hexdigest()
    with db.session() as s:
        match = match_version(s, b"%PDF-1.7 exact")
        assert match_version(s, b"%PDF-1.7 exacT") is None
        assert archive.version_of(s, public_id, digest) == 1
        assert archive.version_of(s, public_id, "0" * 64) is None
    assert match is not None and match["document"]["number"] == "3/NQ-HĐND" and match["latest"]
