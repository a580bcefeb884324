"""Running a state-changing staff action once per op_id, in one transaction."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .common import Outcome, Principal, remember, replay


def run_once(
    session: Session,
    principal: Principal,
    *,
    op_id: str,
    kind: str,
    payload: dict[str, Any],
    action: Callable[[], Outcome],
) -> Outcome:
    """Apply `action` and commit, unless this op_id was applied before: then answer as before."""
    stored = replay(session, principal, op_id, kind, payload)
    if stored is not None:
        return Outcome(stored)
    outcome = action()
    remember(session, principal, op_id, kind, payload, outcome.data)
    try:
        session.commit()
    except IntegrityError:
        # The same op_id committed concurrently (another worker): answer with its result.
        session.rollback()
        stored = replay(session, principal, op_id, kind, payload)
        if stored is None:
            raise
        return Outcome(stored)
    return outcome
