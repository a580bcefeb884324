"""SQLAlchemy 2 typed models. Every change to them comes with an Alembic migration."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _tz() -> DateTime:
    return DateTime(timezone=True)


class Council(Base):
    __tablename__ = "councils"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    locality: Mapped[str] = mapped_column(String(200), default="")
    total_seats: Mapped[int] = mapped_column(Integer)
    ruleset: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    delegates: Mapped[list[Delegate]] = relationship(back_populates="council")


class Delegate(Base):
    __tablename__ = "delegates"
    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="Đại biểu")
    seat: Mapped[str] = mapped_column(String(20), default="")
    unit: Mapped[str] = mapped_column(String(200), default="")
    card_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    card_issued_at: Mapped[datetime | None] = mapped_column(_tz())
    pin_hash: Mapped[str] = mapped_column(String(200))
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(_tz())
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    council: Mapped[Council] = relationship(back_populates="delegates")


class StaffUser(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    council_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    signing_key: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The user's server-held key, if any: ``{"type": "pkcs12", "path": …}`` (relative to
    the instance folder) or ``{"type": "pkcs11", "lib": …, "token_label": …, "key_id": hex}``.
    A token kept on the user's own PC needs nothing here (remote signing)."""


class Meeting(Base):
    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="regular")
    state: Mapped[str] = mapped_column(String(20), default="scheduled")
    starts_at: Mapped[datetime | None] = mapped_column(_tz())
    ends_at: Mapped[datetime | None] = mapped_column(_tz())
    location: Mapped[str] = mapped_column(String(200), default="")
    seq: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    display_key: Mapped[str] = mapped_column(String(64))
    current_item_id: Mapped[int | None] = mapped_column(Integer)

    council: Mapped[Council] = relationship()
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position"
    )


class AgendaItem(Base):
    __tablename__ = "agenda_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    presenter: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(20), default="pending")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")


class Poll(Base):
    __tablename__ = "polls"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    question: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="open")
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    options: Mapped[list[str]] = mapped_column(JSON)
    rule: Mapped[str] = mapped_column(String(40))
    total: Mapped[int] = mapped_column(Integer)
    ruleset: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(_tz())
    opened_at: Mapped[datetime | None] = mapped_column(_tz())
    closed_at: Mapped[datetime | None] = mapped_column(_tz())
    annulled_at: Mapped[datetime | None] = mapped_column(_tz())
    annul_reason: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class Ballot(Base):
    """One delegate's current choice in an open (non-secret) poll."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("poll_id", "delegate_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegates.id"))
    choice: Mapped[str] = mapped_column(String(20))
    op_id: Mapped[str] = mapped_column(String(64))
    cast_at: Mapped[datetime] = mapped_column(_tz())


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "delegate_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegates.id"))
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    present_since: Mapped[datetime | None] = mapped_column(_tz())
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class DeviceBinding(Base):
    """A tablet bound to a delegate's seat for one meeting, until released."""

    __tablename__ = "device_bindings"
    __table_args__ = (
        Index(
            "uq_device_bindings_active",
            "meeting_id",
            "delegate_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegates.id"))
    device_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(80), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    bound_at: Mapped[datetime] = mapped_column(_tz())
    released_at: Mapped[datetime | None] = mapped_column(_tz())
    released_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class Operation(Base):
    """A client operation already applied, so a retry with its op_id returns the same answer."""

    __tablename__ = "operations"
    __table_args__ = (UniqueConstraint("actor", "op_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(40))
    op_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(_tz())


class Document(Base):
    """A record or resolution the council issues, with its number, state and public identity.

    Its files are :class:`DocumentVersion` rows: a version is never changed, only followed.
    """

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("poll_id"),
        Index(
            "uq_documents_number",
            "council_id",
            "code",
            "year",
            "number_seq",
            unique=True,
            sqlite_where=text("number_seq IS NOT NULL"),
            postgresql_where=text("number_seq IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"))
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issued_on: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    number_seq: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(40))
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(_tz())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    published_at: Mapped[datetime | None] = mapped_column(_tz())
    published_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    council: Mapped[Council] = relationship()
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.version"
    )


class DocumentVersion(Base):
    """One file of a document: rendered, then one more for each signature or the number."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    version: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(20))
    field: Mapped[str | None] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(_tz())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    signer_name: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    document: Mapped[Document] = relationship(back_populates="versions")


class SigningRequest(Base):
    """A signature to be made with a token on the signer's own PC (remote signing).

    The code shown to the signer is the credential; only its hash is kept.
    """

    __tablename__ = "signing_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    base_version: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(_tz())
    expires_at: Mapped[datetime] = mapped_column(_tz())
    prepared: Mapped[bytes | None] = mapped_column(LargeBinary)
    finished_version: Mapped[int | None] = mapped_column(Integer)
