"""Staff passwords, delegate cards and PINs, device bindings."""
from __future__ import annotations

import pytest

from server.domain.enums import Role
from server.domain.errors import HallError
from server.services import identity
from server.services.ballots import BallotRequest, cast_batch

from .builders import make_hall, op, open_poll, sign_in


def test_staff_sign_in_checks_the_argon2_password(db):
    with db.session() as s:
        identity.create_staff(s, username="Chutoa", password="mat-khau-1", roles=[Role.CHAIR], council_id=None)
        assert identity.authenticate_staff(s, username="chutoa", password="mat-khau-1").username == "chutoa"
        with pytest.raises(HallError) as caught:
            identity.authenticate_staff(s, username="chutoa", password="sai")
    assert caught.value.code == "invalid_credentials"


def test_an_unknown_card_is_refused(db):
    hall = make_hall(db, seats=1, signed_in=0)
    fake = hall.credentials[0].__class__(0, "x", "x", "AAAA-BBBB-CCCC", "2468")
    with pytest.raises(HallError) as caught:
        sign_in(db, fake)
    assert caught.value.code == "invalid_card"


def test_the_card_code_is_read_without_case_spaces_or_dashes(db):
    hall = make_hall(db, seats=1, signed_in=0)
    c = hall.credentials[0]
    typed = c.__class__(c.id, c.name, c.seat, " " + c.card_code.replace("-", " ").lower(), c.pin)
    assert sign_in(db, typed).delegate_id == c.id


def test_five_wrong_pins_lock_the_card(db):
    hall = make_hall(db, seats=1, signed_in=0)
    c = hall.credentials[0]
    wrong = c.__class__(c.id, c.name, c.seat, c.card_code, "0000")
    codes = []
    for _ in range(5):
        with pytest.raises(HallError) as caught:
            sign_in(db, wrong)
        codes.append(caught.value.code)
    assert codes == ["wrong_pin"] * 4 + ["card_locked"]
    with pytest.raises(HallError) as caught:
        sign_in(db, c)  # even the right PIN waits for the lock to end
    assert caught.value.code == "card_locked"


def test_a_second_device_is_refused_until_the_chair_releases_the_first(db):
    hall = make_hall(db, seats=2, signed_in=1)
    c = hall.credentials[0]
    with pytest.raises(HallError) as caught:
        sign_in(db, c, device="another-tablet")
    assert caught.value.code == "seat_taken"
    with db.session() as s:
        outcome = identity.release(s, hall.chair, meeting_id=hall.meeting_id, delegate_id=c.id)
        s.commit()
    assert [(e.name, e.room) for e in outcome.events] == [
        ("session.revoked", f"delegate:{c.id}"),
        ("delegate.updated", f"meeting:{hall.meeting_id}:staff"),
        ("delegate.updated", f"delegate:{c.id}"),
    ]
    assert sign_in(db, c, device="another-tablet").delegate_id == c.id


def test_the_same_device_may_sign_in_again(db):
    hall = make_hall(db, seats=1)
    again = sign_in(db, hall.credentials[0])
    assert again.binding_id == hall.delegates[0].binding_id


def test_a_released_device_can_no_longer_vote(db):
    hall = make_hall(db, seats=2)
    poll_id = open_poll(hall)
    with db.session() as s:
        identity.release(s, hall.chair, meeting_id=hall.meeting_id, delegate_id=hall.delegates[0].delegate_id)
        s.commit()
        answer = cast_batch(s, [BallotRequest(hall.delegates[0], op(), poll_id, "yes")])[0]
    assert isinstance(answer, HallError) and answer.code == "unauthenticated"


def test_signing_in_marks_the_delegate_present(db):
    hall = make_hall(db, seats=3, signed_in=2)
    from server.services.meetings import snapshot

    with db.session() as s:
        assert snapshot(s, hall.chair, hall.meeting_id)["attendance"]["present"] == 2


def test_reissued_cards_replace_the_old_ones(db):
    hall = make_hall(db, seats=2, signed_in=0)
    with db.session() as s:
        issued = identity.reissue_cards(s, hall.council_id)
    old = hall.credentials[0]
    with pytest.raises(HallError) as caught:
        sign_in(db, old)
    assert caught.value.code == "invalid_card"
    new_code = dict((d.id, code) for d, code in issued)[old.id]
    assert sign_in(db, old.__class__(old.id, old.name, old.seat, new_code, old.pin)).delegate_id == old.id
