"""The plain data a signed record is rendered from, with no tie to the server's models."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DEFAULT_RESOLUTION_RECIPIENTS",
    "MinutesCorrection",
    "MinutesItem",
    "MinutesPoll",
    "MinutesRecord",
    "ResolutionRecord",
    "VoteRecord",
]

DEFAULT_RESOLUTION_RECIPIENTS: tuple[str, ...] = (
    "- Thường trực HĐND;",
    "- UBND xã;",
    "- Lưu: VT.",
)
"""Who receives a resolution when the caller names no one ("Nơi nhận:")."""


@dataclass(frozen=True)
class VoteRecord:
    """Everything printed on the vote-result record (biên bản kết quả biểu quyết) of one poll."""

    council_name: str
    """The issuing body in capitals, e.g. ``"HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHÚ"``."""
    locality: str
    """The place name used in the date line, e.g. ``"Tân Phú"``."""
    number: str | None
    """The number and code, e.g. ``"12/BB-HĐND"``; ``None`` while not yet numbered."""
    place: str
    """Where the meeting is held, e.g. ``"Hội trường UBND xã Tân Phú"``."""
    date: datetime.date
    """The date of the record, printed as "ngày 28 tháng 11 năm 2026"."""
    meeting_title: str
    """The meeting, e.g. ``"Kỳ họp thứ Mười, HĐND xã Tân Phú khóa I, nhiệm kỳ 2026-2031"``."""
    agenda_item: str
    """The agenda item the vote belongs to; printed under the title."""
    question: str
    """The question put to the vote."""
    rule_label: str
    """The passing rule in words, e.g. ``"Quá nửa tổng số đại biểu"``."""
    total: int
    """The total number of delegates of the council."""
    counts: Mapping[str, int]
    """Votes by choice: ``yes``, ``no``, ``abstain``."""
    lines: Sequence[str]
    """The result lines as printed, e.g. ``"Tán thành: 28/30 đại biểu (93,33%)"``."""
    passed: bool
    """Whether the motion passed."""
    verdict: str
    """``"THÔNG QUA"`` or ``"KHÔNG THÔNG QUA"``."""
    present_not_voted: Sequence[str]
    """Full names of delegates present who did not vote (open votes only)."""
    opened_at: datetime.datetime
    """When voting opened; a naive value is taken as UTC."""
    closed_at: datetime.datetime
    """When voting closed; a naive value is taken as UTC."""
    chair_name: str
    """The chair's full name, printed under "CHỦ TỌA"."""
    secretary_name: str
    """The secretary's full name, printed under "THƯ KÝ"."""
    verify_url: str | None = None
    """The public verify page; printed with a QR code when given."""
    secret: bool = False
    """A secret ballot: the names of delegates who did not vote are not printed."""

    def __post_init__(self) -> None:
        if self.total < 0:
            raise ValueError(
                f"The total number of delegates cannot be negative ({self.total})."
            )


@dataclass(frozen=True)
class MinutesPoll:
    """One vote taken under an agenda item, as the minutes report it."""

    question: str
    """The question put to the vote."""
    lines: Sequence[str]
    """The result lines as printed, e.g. ``"Tán thành: 28/30 đại biểu (93,33%)"``."""
    verdict: str
    """``"THÔNG QUA"`` or ``"KHÔNG THÔNG QUA"``."""
    passed: bool
    """Whether the motion passed."""
    secret: bool
    """A secret ballot (bỏ phiếu kín) rather than an open vote."""
    annulled: bool = False
    """The vote was annulled; the minutes print "Đã hủy" with the reason instead of a verdict."""
    annul_reason: str = ""
    """Why the vote was annulled, e.g. ``"Sự cố thiết bị biểu quyết"``."""


@dataclass(frozen=True)
class MinutesItem:
    """One agenda item (nội dung) of the meeting and what happened under it."""

    title: str
    """The item, e.g. ``"Tờ trình về kế hoạch đầu tư công năm 2027"``."""
    presenter: str = ""
    """Who presented it, e.g. ``"Ông Lê Văn Tâm, Phó Chủ tịch UBND xã"``; may be empty."""
    summary: str = ""
    """What was presented or discussed, in the secretary's words; may be empty."""
    speakers: Sequence[str] = ()
    """The delegates who spoke, each printed on its own line, e.g. ``"Bà Trần Thị Mai: …"``."""
    polls: Sequence[MinutesPoll] = ()
    """The votes taken under this item, in the order they were taken."""


@dataclass(frozen=True)
class MinutesCorrection:
    """A correction made during the meeting (đính chính), recorded in the minutes."""

    what: str
    """What was corrected, e.g. ``"Số liệu tại Điều 2 dự thảo Nghị quyết"``."""
    reason: str
    """Why it was corrected."""
    at: datetime.datetime | None = None
    """When it was made; a naive value is taken as UTC; ``None`` when not recorded."""


@dataclass(frozen=True)
class MinutesRecord:
    """Everything printed on the minutes (biên bản kỳ họp) of one meeting."""

    council_name: str
    """The issuing body in capitals, e.g. ``"HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHÚ"``."""
    locality: str
    """The place name used in the date line, e.g. ``"Tân Phú"``."""
    number: str | None
    """The number and code, e.g. ``"3/BB-HĐND"``; ``None`` while not yet numbered."""
    place: str
    """Where the meeting is held, e.g. ``"Hội trường UBND xã Tân Phú"``."""
    date: datetime.date
    """The date of the minutes, printed as "ngày 28 tháng 11 năm 2026"."""
    meeting_title: str
    """The meeting, e.g. ``"Kỳ họp thứ Mười, Hội đồng nhân dân xã Tân Phú khóa I"``."""
    opened_at: datetime.datetime
    """When the meeting opened; a naive value is taken as UTC."""
    closed_at: datetime.datetime
    """When the meeting closed; a naive value is taken as UTC."""
    total: int
    """The total number of delegates of the council."""
    present: int
    """The delegates present."""
    absent: Sequence[str]
    """The absent delegates, each with an optional reason, e.g. ``"Trần Văn B (có lý do)"``."""
    quorum_line: str
    """The quorum sentence as printed, e.g. ``"Có mặt 28/30 đại biểu (93,33%), đủ số lượng để
    tiến hành kỳ họp."``."""
    items: Sequence[MinutesItem]
    """The agenda items, in the order they were taken."""
    corrections: Sequence[MinutesCorrection]
    """Corrections made during the meeting; may be empty."""
    notes: str
    """Free text by the secretary, printed last before the closing; may be empty."""
    chair_name: str
    """The chair's full name, printed under "CHỦ TỌA"."""
    secretary_name: str
    """The secretary's full name, printed under "THƯ KÝ"."""
    verify_url: str | None = None
    """The public verify page; printed with a QR code when given."""

    def __post_init__(self) -> None:
        if self.total < 0:
            raise ValueError(
                f"The total number of delegates cannot be negative ({self.total})."
            )
        if not 0 <= self.present <= self.total:
            raise ValueError(
                f"The delegates present ({self.present}) must be between 0 and the total"
                f" ({self.total})."
            )


@dataclass(frozen=True)
class ResolutionRecord:
    """Everything printed on a resolution (nghị quyết) of the council."""

    council_name: str
    """The issuing body in capitals, e.g. ``"HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHÚ"``."""
    locality: str
    """The place name used in the date line, e.g. ``"Tân Phú"``."""
    number: str | None
    """The number and code, e.g. ``"12/NQ-HĐND"``; ``None`` while not yet numbered."""
    date: datetime.date
    """The date of the resolution, printed as "ngày 28 tháng 11 năm 2026"."""
    title: str
    """The subject printed under "NGHỊ QUYẾT", e.g. ``"Về việc thông qua kế hoạch đầu tư công
    năm 2027"``."""
    meeting_title: str
    """The term and sitting in capitals, e.g. ``"KHÓA I, KỲ HỌP THỨ MƯỜI"``; printed under
    the council's name."""
    bases: Sequence[str]
    """The legal bases, each printed as an italic line "Căn cứ …;"."""
    considering: str
    """The "Xét …" paragraph (proposal, review report, debate); may be empty."""
    articles: Sequence[str]
    """The articles, printed as "Điều 1. …", "Điều 2. …"; a line break starts a new paragraph."""
    adoption: str
    """The adoption sentence, e.g. ``"Nghị quyết này đã được Hội đồng nhân dân xã Tân Phú khóa
    I, Kỳ họp thứ Mười thông qua ngày 28 tháng 11 năm 2026, …"``."""
    chair_name: str
    """The council chair's full name, printed under "TM. HỘI ĐỒNG NHÂN DÂN / CHỦ TỊCH"."""
    recipients: Sequence[str] = DEFAULT_RESOLUTION_RECIPIENTS
    """The lines under "Nơi nhận:"."""
    verify_url: str | None = None
    """The public verify page; printed with a QR code when given."""

    def __post_init__(self) -> None:
        if not self.articles:
            raise ValueError("A resolution needs at least one article.")
