"""The plain data a signed record is rendered from, with no tie to the server's models."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["VoteRecord"]


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
