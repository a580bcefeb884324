"""Payload schemas for the JSON API and Socket.IO events (pydantic, strict types)."""
from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from server.domain.enums import ThresholdRule
from server.domain.errors import Invalid

OpId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
Id = Annotated[int, Field(strict=True, ge=1, le=2**62)]
DeviceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class SignInIn(_Strict):
    card_code: Annotated[str, StringConstraints(min_length=4, max_length=40)]
    pin: Annotated[str, StringConstraints(pattern=r"^[0-9]{4,8}$")]
    device_id: DeviceId
    device_label: Annotated[str, StringConstraints(max_length=80, strip_whitespace=True)] = ""


class ConnectAuth(_Strict):
    meeting_id: Id | None = None


class SnapshotIn(_Strict):
    pass


class BallotCastIn(_Strict):
    op_id: OpId
    poll_id: Id
    choice: Annotated[str, StringConstraints(max_length=20)]


class AgendaSelectIn(_Strict):
    op_id: OpId
    item_id: Id


class PollCreateIn(_Strict):
    op_id: OpId
    agenda_item_id: Id
    question: Annotated[str, StringConstraints(min_length=3, max_length=500, strip_whitespace=True)]
    rule: ThresholdRule = ThresholdRule.MAJORITY_OF_TOTAL

    model_config = ConfigDict(strict=False, extra="ignore", frozen=True)


class PollActionIn(_Strict):
    op_id: OpId
    poll_id: Id


class PollAnnulIn(_Strict):
    op_id: OpId
    poll_id: Id
    reason: Annotated[str, StringConstraints(max_length=2000)]


class AttendanceSetIn(_Strict):
    op_id: OpId
    delegate_id: Id
    present: bool


class DeviceReleaseIn(_Strict):
    op_id: OpId
    delegate_id: Id


Line = Annotated[str, StringConstraints(max_length=2000, strip_whitespace=True)]
Paragraph = Annotated[str, StringConstraints(max_length=20000, strip_whitespace=True)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]


class MinutesItemIn(_Strict):
    agenda_item_id: Id | None = None
    title: Title
    presenter: Line = ""
    summary: Paragraph = ""
    speakers: Annotated[list[Line], Field(max_length=200)] = []


class CorrectionIn(_Strict):
    what: Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]


class MinutesDraftIn(_Strict):
    """What the secretary may edit in the minutes before the first signature."""

    items: Annotated[list[MinutesItemIn], Field(max_length=200)]
    corrections: Annotated[list[CorrectionIn], Field(max_length=200)] = []
    notes: Paragraph = ""


class ResolutionDraftIn(_Strict):
    """A resolution's text (from its dự thảo) and the poll that adopted it."""

    poll_id: Id
    title: Title
    session_line: Line = ""
    bases: Annotated[list[Line], Field(min_length=1, max_length=50)]
    considering: Paragraph = ""
    articles: Annotated[list[Paragraph], Field(min_length=1, max_length=100)]
    recipients: Annotated[list[Line], Field(max_length=50)] = []


class DocumentSignIn(_Strict):
    field: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,40}$")]
    secret: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class SigningPrepareIn(_Strict):
    certificate: Annotated[str, StringConstraints(min_length=16, max_length=20000)]
    chain: Annotated[list[Annotated[str, StringConstraints(max_length=20000)]], Field(max_length=10)] = []


class SigningFinishIn(_Strict):
    signature: Annotated[str, StringConstraints(min_length=16, max_length=4000)]


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Any) -> M:
    """Validate a payload or raise `invalid_payload` naming the first bad field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Invalid("Dữ liệu gửi lên phải là một đối tượng JSON.", field="")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        message = f"Trường “{field}” thiếu hoặc không hợp lệ." if field else "Dữ liệu không hợp lệ."
        raise Invalid(message, field=field, reason=first["msg"]) from None
