"""Dates, times and names as the documents print them: Vietnamese wording, local time, and
whitespace collapsed."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from zoneinfo import ZoneInfo

__all__ = [
    "about",
    "long_date",
    "lower_first",
    "name_list",
    "paragraphs",
    "short_date",
    "tidy",
    "time_of_day",
    "time_span",
]

_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _local(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(_TZ)


def time_of_day(moment: datetime.datetime) -> str:
    """``"9 giờ 05 phút"``, in local time."""
    local = _local(moment)
    return f"{local.hour} giờ {local.minute:02d} phút"


def short_date(moment: datetime.datetime) -> str:
    """``"05/03/2027"``, in local time."""
    return f"{_local(moment):%d/%m/%Y}"


def time_span(start: datetime.datetime, end: datetime.datetime) -> str:
    """From ``start`` to ``end``, naming the day once when both fall on it."""
    opened, closed = _local(start), _local(end)
    if opened.date() == closed.date():
        return f"từ {time_of_day(opened)} đến {time_of_day(closed)}, ngày {opened:%d/%m/%Y}"
    return (
        f"từ {time_of_day(opened)} ngày {opened:%d/%m/%Y} "
        f"đến {time_of_day(closed)} ngày {closed:%d/%m/%Y}"
    )


def long_date(day: datetime.date) -> str:
    """``"ngày 05 tháng 3 năm 2027"``, as under the national title."""
    # Decree 30: days below 10 and months below 3 take a leading zero.
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def tidy(text: str) -> str:
    """``text`` with its whitespace collapsed to single spaces."""
    return " ".join(text.split())


def name_list(names: Sequence[str]) -> str:
    """The non-blank names, tidied and separated by commas."""
    return ", ".join(tidy(name) for name in names if name.strip())


def paragraphs(text: str) -> list[str]:
    """Non-empty lines of ``text``, whitespace collapsed: one paragraph each."""
    return [tidy(line) for line in text.splitlines() if line.strip()]


def about(item: str) -> str:
    """The subject line of a vote-result record: ``"Về ..."``."""
    item = tidy(item)
    if item.casefold().startswith("về "):
        return item[:1].upper() + item[1:]
    return f"Về {lower_first(item)}"


def lower_first(text: str) -> str:
    """``text`` tidied, its first letter lowered unless it starts an acronym."""
    text = tidy(text)
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
