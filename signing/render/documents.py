"""The three documents the hall signs — the vote-result record, the minutes of a meeting and a
resolution — described for the layout: their titles, body paragraphs and signature blocks."""

from __future__ import annotations

from xml.sax.saxutils import escape

from signing.records import (
    MinutesItem,
    MinutesPoll,
    MinutesRecord,
    ResolutionRecord,
    VoteRecord,
)
from signing.render.layout import Document, Para, Signer
from signing.render.words import (
    about,
    lower_first,
    name_list,
    paragraphs,
    short_date,
    tidy,
    time_of_day,
    time_span,
)

__all__ = ["minutes_document", "resolution_document", "vote_record_document"]

_RECORD_RECIPIENTS = ("- Thường trực HĐND;", "- Lưu: VT.")


def vote_record_document(record: VoteRecord) -> Document:
    """The vote-result record of one poll, signed by the secretary and the chair."""
    body = [Para(text) for text in _vote_body_lines(record)]
    verdict = record.verdict.strip() or (
        "THÔNG QUA" if record.passed else "KHÔNG THÔNG QUA"
    )
    body.append(Para(escape(f"Kết quả: {verdict}."), "bold"))
    if not record.secret:
        names = name_list(record.present_not_voted) or "Không có"
        body.append(Para(f"Đại biểu có mặt không biểu quyết: {escape(names)}."))
    body.append(
        Para(
            f"Biên bản được lập hồi {time_of_day(record.closed_at)}, "
            f"ngày {short_date(record.closed_at)}, ngay sau khi kết thúc biểu quyết."
        )
    )
    return Document(
        kind="vote_record",
        council_name=record.council_name,
        locality=record.locality,
        number=record.number,
        date=record.date,
        pdf_title=f"Biên bản kết quả biểu quyết - {record.agenda_item}",
        title=("BIÊN BẢN<br/>KẾT QUẢ BIỂU QUYẾT", escape(about(record.agenda_item))),
        body=tuple(body),
        left=Signer("THƯ KÝ", "ThuKy", record.secretary_name),
        right=Signer("CHỦ TỌA", "ChuToa", record.chair_name),
        recipients=_RECORD_RECIPIENTS,
        verify_url=record.verify_url,
    )


def _vote_body_lines(record: VoteRecord) -> list[str]:
    lines = [
        f"Kỳ họp: {escape(record.meeting_title)}.",
        f"Địa điểm: {escape(record.place)}.",
        f"Thời gian biểu quyết: {time_span(record.opened_at, record.closed_at)}.",
        f"Nội dung biểu quyết: {escape(record.question)}",
        (
            f"Hình thức: {'bỏ phiếu kín' if record.secret else 'biểu quyết công khai'}; "
            f"điều kiện thông qua: {escape(lower_first(record.rule_label))}."
        ),
        f"Tổng số đại biểu Hội đồng nhân dân: {record.total} đại biểu.",
    ]
    lines.extend(f"- {escape(line)}" for line in record.lines)
    return lines


def minutes_document(record: MinutesRecord) -> Document:
    """The minutes of a meeting, signed by the secretary and the chair."""
    body = _minutes_opening(record)
    for number, item in enumerate(record.items, start=1):
        body.extend(_minutes_item(number, item))
    body.extend(_minutes_corrections(record))
    if record.notes.strip():
        body.append(Para("Ghi chú của thư ký:", "bold", keep_with_next=True))
        body.extend(Para(escape(part)) for part in paragraphs(record.notes))
    closed_at = record.closed_at
    body.append(
        Para(f"Kỳ họp bế mạc hồi {time_of_day(closed_at)}, ngày {short_date(closed_at)}.")
    )
    return Document(
        kind="minutes",
        council_name=record.council_name,
        locality=record.locality,
        number=record.number,
        date=record.date,
        pdf_title=f"Biên bản kỳ họp - {record.meeting_title}",
        title=("BIÊN BẢN KỲ HỌP", escape(tidy(record.meeting_title))),
        body=tuple(body),
        left=Signer("THƯ KÝ", "ThuKy", record.secretary_name),
        right=Signer("CHỦ TỌA", "ChuToa", record.chair_name),
        recipients=_RECORD_RECIPIENTS,
        verify_url=record.verify_url,
    )


def _minutes_opening(record: MinutesRecord) -> list[Para]:
    """Where, when and who, up to the heading of the proceedings."""
    absent = name_list(record.absent) or "Không có"
    return [
        Para(f"Kỳ họp: {escape(record.meeting_title)}."),
        Para(f"Địa điểm: {escape(record.place)}."),
        Para(f"Thời gian: {time_span(record.opened_at, record.closed_at)}."),
        Para(
            f"Tổng số đại biểu Hội đồng nhân dân: {record.total} đại biểu; có mặt: "
            f"{record.present} đại biểu; vắng mặt: {record.total - record.present} đại biểu."
        ),
        Para(f"Đại biểu vắng mặt: {escape(absent)}."),
        Para(escape(record.quorum_line)),
        Para(
            f"Chủ tọa: {escape(tidy(record.chair_name))}. "
            f"Thư ký: {escape(tidy(record.secretary_name))}."
        ),
        Para("NỘI DUNG VÀ DIỄN BIẾN KỲ HỌP", "heading", keep_with_next=True),
    ]


def _minutes_corrections(record: MinutesRecord) -> list[Para]:
    if not record.corrections:
        return []
    paras = [Para("Đính chính trong kỳ họp:", "bold", keep_with_next=True)]
    for correction in record.corrections:
        when = (
            ""
            if correction.at is None
            else f"; lúc {time_of_day(correction.at)}, ngày {short_date(correction.at)}"
        )
        paras.append(
            Para(
                f"- {escape(correction.what)} (lý do: "
                f"{escape(lower_first(correction.reason))}{when})."
            )
        )
    return paras


def _minutes_item(number: int, item: MinutesItem) -> list[Para]:
    paras = [Para(f"{number}. {escape(tidy(item.title))}", "item", keep_with_next=True)]
    if item.presenter.strip():
        paras.append(Para(f"Trình bày: {escape(tidy(item.presenter))}."))
    paras.extend(Para(escape(part)) for part in paragraphs(item.summary))
    if item.speakers:
        paras.append(Para("Ý kiến phát biểu:", keep_with_next=True))
        paras.extend(Para(f"- {escape(tidy(speaker))}") for speaker in item.speakers)
    for poll in item.polls:
        paras.extend(_minutes_poll(poll))
    return paras


def _minutes_poll(poll: MinutesPoll) -> list[Para]:
    form = "bỏ phiếu kín" if poll.secret else "biểu quyết công khai"
    paras = [
        Para(f"Biểu quyết ({form}): {escape(tidy(poll.question))}", keep_with_next=True)
    ]
    paras.extend(Para(f"- {escape(line)}") for line in poll.lines)
    if poll.annulled:
        reason = poll.annul_reason.strip()
        why = f" (lý do: {escape(lower_first(reason))})" if reason else ""
        paras.append(Para(f"Kết quả: Đã hủy{why}.", "bold"))
    else:
        verdict = poll.verdict.strip() or (
            "THÔNG QUA" if poll.passed else "KHÔNG THÔNG QUA"
        )
        paras.append(Para(escape(f"Kết quả: {verdict}."), "bold"))
    return paras


def resolution_document(record: ResolutionRecord) -> Document:
    """A resolution, signed by the chair on behalf of the council."""
    body = [
        Para(escape(tidy(record.council_name).upper()), "centre"),
        Para(escape(tidy(record.meeting_title).upper()), "centre_last"),
    ]
    for basis in record.bases:
        text = tidy(basis).rstrip(";.")
        if not text.casefold().startswith("căn cứ"):
            text = f"Căn cứ {text}"  # what follows is a law's proper name: keep its case
        body.append(Para(f"{escape(text)};", "italic"))
    if record.considering.strip():
        text = tidy(record.considering).rstrip(";.")
        body.append(Para(f"{escape(text)}.", "italic"))
    body.append(Para("QUYẾT NGHỊ:", "centre_spaced", keep_with_next=True))
    for number, article in enumerate(record.articles, start=1):
        first, *rest = paragraphs(article) or [""]
        body.append(Para(f"<b>Điều {number}.</b> {escape(first)}"))
        body.extend(Para(escape(part)) for part in rest)
    body.append(Para(escape(tidy(record.adoption))))
    return Document(
        kind="resolution",
        council_name=record.council_name,
        locality=record.locality,
        number=record.number,
        date=record.date,
        pdf_title=f"Nghị quyết - {record.title}",
        title=("NGHỊ QUYẾT", escape(tidy(record.title))),
        body=tuple(body),
        left=None,
        right=Signer("TM. HỘI ĐỒNG NHÂN DÂN<br/>CHỦ TỊCH", "ChuTich", record.chair_name),
        recipients=tuple(record.recipients),
        verify_url=record.verify_url,
    )
