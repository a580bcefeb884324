"""The vote-result record of a closed poll, built from the stored result."""
from __future__ import annotations

import pytest

from server.domain.enums import Role
from server.domain.errors import HallError
from server.services import polls
from server.services.ballots import BallotRequest, cast_batch
from server.services.identity import create_staff
from server.services.records import vote_record
from signing.render import render_vote_record_with_fields

from .builders import chair_do, make_hall, op, open_poll


def test_a_closed_poll_gives_a_record_with_its_result_names_and_signers(db):
    hall = make_hall(db, seats=5)
    poll_id = open_poll(hall)
    with db.session() as s:
        create_staff(s, username="thuky-a", password="pw-123456", roles=[Role.SECRETARY],
                     council_id=hall.council_id, display_name="Lê Thị Hoa")
        cast_batch(s, [BallotRequest(d, op(), poll_id, "yes") for d in hall.delegates[:3]])
    chair_do(hall, polls.close_poll, poll_id=poll_id)
    with db.session() as s:
        record = vote_record(s, poll_id)
    assert record.council_name == "HĐND XÃ A" and record.verdict == "THÔNG QUA"
    assert record.lines[0] == "Tán thành: 3/5 đại biểu (60,00%)"
    assert record.present_not_voted == [c.name for c in hall.credentials[3:]]
    assert record.secretary_name == "Lê Thị Hoa" and record.rule_label == "Quá nửa tổng số đại biểu"
    assert render_vote_record_with_fields(record).pdf.startswith(b"%PDF")


def test_an_open_poll_has_no_record_yet(db):
    hall = make_hall(db, seats=2)
    poll_id = open_poll(hall)
    with pytest.raises(HallError) as caught, db.session() as s:
        vote_record(s, poll_id)
    assert caught.value.code == "poll_not_closed"
