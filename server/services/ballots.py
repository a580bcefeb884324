"""Casting ballots in batches: one transaction for many ballots (group commit).

Every request in a batch gets its own answer: an ack dict, or a HallError. Invalid requests change
nothing; valid ones are committed together, and only then acknowledged by the caller.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.engine import utcnow
from server.db.models import Attendance, Ballot, DeviceBinding, Operation, Poll
from server.domain import poll as poll_rules
from server.domain.enums import PollState
from server.domain.errors import (
    Conflict,
    Forbidden,
    HallError,
    Invalid,
    InvalidState,
    NotFound,
    Unauthenticated,
)

from .common import Principal, PrincipalKind, request_hash

KIND = "ballot.cast"
BALLOTS: Table = Ballot.__table__  # type: ignore[assignment]
OPERATIONS: Table = Operation.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class BallotRequest:
    principal: Principal
    op_id: str
    poll_id: int
    choice: str

    @property
    def payload(self) -> dict[str, Any]:
        return {"poll_id": self.poll_id, "choice": self.choice}


Answer = dict[str, Any] | HallError


def cast_batch(session: Session, requests: list[BallotRequest]) -> list[Answer]:
    """Apply a batch in one transaction; on a write conflict fall back to one by one."""
    try:
        answers = _apply(session, requests)
        session.commit()
        return answers
    except IntegrityError:
        # Another worker wrote the same op or ballot in between: redo each alone, so one
        # conflict cannot fail the others.
        session.rollback()
    answers = []
    for request in requests:
        try:
            answer = _apply(session, [request])[0]
            session.commit()
        except IntegrityError:
            session.rollback()
            answer = _apply(session, [request])[0]
            session.rollback()
        answers.append(answer)
    return answers


def _apply(session: Session, requests: list[BallotRequest]) -> list[Answer]:
    poll_ids = {r.poll_id for r in requests}
    query = select(Poll).where(Poll.id.in_(poll_ids))
    if session.get_bind().dialect.name == "postgresql":
        # Shares the row with other ballot batches, waits for a close in progress.
        query = query.with_for_update(read=True)
    polls = {p.id: p for p in session.scalars(query)}
    delegate_ids = {r.principal.delegate_id for r in requests}
    # Row-value IN probes the (actor, op_id) unique index once per pair; two separate INs
    # would probe every actor with every op_id.
    known_ops = {
        (o.actor, o.op_id): o
        for o in session.scalars(
            select(Operation).where(
                tuple_(Operation.actor, Operation.op_id).in_(
                    {(r.principal.actor, r.op_id) for r in requests}
                )
            )
        )
    }
    bindings = set(
        session.scalars(
            select(DeviceBinding.id).where(
                DeviceBinding.id.in_({r.principal.binding_id for r in requests}),
                DeviceBinding.released_at.is_(None),
            )
        )
    )
    meeting_ids = {r.principal.meeting_id for r in requests}
    present = set(
        session.execute(
            select(Attendance.meeting_id, Attendance.delegate_id).where(
                Attendance.meeting_id.in_(meeting_ids),
                Attendance.delegate_id.in_(delegate_ids),
                Attendance.present.is_(True),
            )
        ).all()
    )
    answers: list[Answer] = []
    fresh: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    writes: dict[tuple[int, int], dict[str, Any]] = {}
    now = utcnow()
    for r in requests:
        key = (r.principal.actor, r.op_id)
        digest = request_hash(KIND, r.payload)
        try:
            seen = known_ops.get(key)
            if seen is not None:
                answers.append(_replayed(seen.kind, seen.request_hash, seen.response, digest))
                continue
            if key in fresh:
                answers.append(_replayed(KIND, fresh[key][0], fresh[key][1], digest))
                continue
            _check(r, polls.get(r.poll_id), r.principal.binding_id in bindings,
                   (r.principal.meeting_id, r.principal.delegate_id) in present)
        except HallError as error:
            answers.append(error)
            continue
        ack = {"ballot": {"poll_id": r.poll_id, "choice": r.choice, "op_id": r.op_id}}
        fresh[key] = (digest, ack)
        writes[(r.poll_id, r.principal.delegate_id or 0)] = {
            "poll_id": r.poll_id,
            "delegate_id": r.principal.delegate_id,
            "choice": r.choice,
            "op_id": r.op_id,
            "cast_at": now,
        }
        answers.append(ack)
    if writes:
        _upsert_ballots(session, list(writes.values()))
        # Core tables, not ORM classes: no per-row ORM bookkeeping on the hot path.
        session.execute(
            insert(OPERATIONS),
            [
                {"actor": a, "op_id": o, "kind": KIND, "request_hash": h, "response": resp,
                 "created_at": now}
                for (a, o), (h, resp) in fresh.items()
            ],
        )
    return answers


def _replayed(kind: str, stored_hash: str, response: dict[str, Any], digest: str) -> Answer:
    if kind != KIND or stored_hash != digest:
        return Conflict(
            "Mã thao tác (op_id) này đã được dùng cho một lá phiếu khác.", code="op_id_conflict"
        )
    return dict(response)


def _check(r: BallotRequest, poll: Poll | None, bound: bool, is_present: bool) -> None:
    if r.principal.kind is not PrincipalKind.DELEGATE:
        raise Forbidden("Chỉ đại biểu mới được biểu quyết.")
    if not bound:
        raise Unauthenticated("Thiết bị này đã bị giải phóng; vui lòng đăng nhập lại.")
    if poll is None:
        raise NotFound("Không tìm thấy biểu quyết.", code="poll_not_found")
    if poll.meeting_id != r.principal.meeting_id:
        raise Forbidden("Biểu quyết này thuộc kỳ họp khác.", code="wrong_meeting")
    poll_rules.ensure_accepts_ballot(PollState(poll.state))
    if r.choice not in poll.options:
        raise Invalid("Lựa chọn không hợp lệ cho biểu quyết này.", code="invalid_choice")
    if not is_present:
        raise InvalidState(
            "Đại biểu chưa được ghi nhận có mặt nên chưa thể biểu quyết.", code="not_present"
        )


def _upsert_ballots(session: Session, rows: list[dict[str, Any]]) -> None:
    """One cached statement run over all rows (executemany), not a new multi-row statement."""
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = upsert(BALLOTS)
    statement = statement.on_conflict_do_update(
        index_elements=[BALLOTS.c.poll_id, BALLOTS.c.delegate_id],
        set_={
            "choice": statement.excluded.choice,
            "op_id": statement.excluded.op_id,
            "cast_at": statement.excluded.cast_at,
        },
    )
    session.execute(statement, rows)


def ballots_of(session: Session, poll_id: int) -> dict[int, str]:
    """Every delegate's committed choice in a poll (for checks and records)."""
    return dict(
        session.execute(
            select(Ballot.delegate_id, Ballot.choice).where(Ballot.poll_id == poll_id)
        ).all()
    )


__all__ = ["BallotRequest", "ballots_of", "cast_batch"]
