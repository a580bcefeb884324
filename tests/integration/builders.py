"""Builders for service tests: a council with a meeting, its chair, its delegates signed in."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from server.db.engine import Database
from server.domain.enums import CouncilLevel, Role, ThresholdRule
from server.services import polls
from server.services.common import Principal
from server.services.identity import create_staff, sign_in_delegate, staff_principal
from server.services.operations import run_once
from server.services.setup import DelegateCredential, add_delegates, create_council, create_meeting

_ops = itertools.count(1)


def op() -> str:
    return f"op-{next(_ops):08d}"


@dataclass
class Hall:
    db: Database
    council_id: int
    meeting_id: int
    item_ids: list[int]
    chair: Principal
    credentials: list[DelegateCredential]
    delegates: list[Principal]  # signed in, in the order of credentials


def make_hall(db: Database, *, seats: int = 5, signed_in: int | None = None, name: str = "A") -> Hall:
    """A council of `seats` delegates; the first `signed_in` (default all) sign in on a device."""
    with db.session() as s:
        council = create_council(
            s, name=f"HĐND xã {name}", level=CouncilLevel.COMMUNE, locality=name, total_seats=seats
        )
        credentials = add_delegates(s, council, seats, pin="2468")
        meeting = create_meeting(
            s, council, title=f"Kỳ họp {name}", agenda=[("Khai mạc", "Chủ tọa"), ("Nghị quyết", "UBND")]
        )
        item_ids = [item.id for item in meeting.agenda]
        council_id, meeting_id = council.id, meeting.id
        s.commit()
        chair = create_staff(
            s, username=f"chair-{name}", password="pw-123456", roles=[Role.CHAIR], council_id=council_id
        )
    delegates = []
    for c in credentials[: seats if signed_in is None else signed_in]:
        delegates.append(sign_in(db, c))
    return Hall(db, council_id, meeting_id, item_ids, staff_principal(chair), credentials, delegates)


def sign_in(db: Database, credential: DelegateCredential, device: str | None = None) -> Principal:
    with db.session() as s:
        result = sign_in_delegate(
            s,
            card_code=credential.card_code,
            pin=credential.pin,
            device_id=device or f"device-{credential.id:04d}",
            device_label="",
            address="127.0.0.1",
            max_failures=5,
            lock_seconds=300,
        )
    return result.principal


def chair_do(hall: Hall, service, **kwargs):  # type: ignore[no-untyped-def]
    """Run a chair service the way the socket handler does: once per op_id, committed."""
    payload = {k: (v.value if hasattr(v, "value") else v) for k, v in kwargs.items()}
    with hall.db.session() as s:
        return run_once(
            s,
            hall.chair,
            op_id=op(),
            kind=service.__name__,
            payload=payload,
            action=lambda: service(s, hall.chair, meeting_id=hall.meeting_id, **kwargs),
        )


def open_poll(hall: Hall, rule: ThresholdRule = ThresholdRule.MAJORITY_OF_TOTAL) -> int:
    created = chair_do(
        hall, polls.create_poll, agenda_item_id=hall.item_ids[1], question="Thông qua nghị quyết", rule=rule
    )
    poll_id = created.data["poll"]["id"]
    chair_do(hall, polls.open_poll, poll_id=poll_id)
    return int(poll_id)
