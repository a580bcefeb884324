"""Every role × action that must be refused is refused, over HTTP and Socket.IO, and bad input
changes nothing while the server keeps serving."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
import socketio

from sqlalchemy import select

from server.db.engine import Database
from server.db.models import StaffUser
from server.domain.enums import CouncilLevel, Role
from server.services.ballots import ballots_of
from server.services.documents import Settings
from server.services.drafts import draft_minutes
from server.services.identity import create_staff, load_staff, staff_principal
from server.services.setup import add_delegates, create_council, create_meeting

from .hall import Sock, delegate_http, display_http, new_op, staff_http, start_hall

pytestmark = pytest.mark.e2e

CHAIR_EVENTS = ["agenda.select", "poll.create", "poll.open", "poll.close", "poll.annul",
                "attendance.set", "device.release"]


class World:
    """One server, two councils: ours (meeting A) and another (meeting B)."""

    def __init__(self, tmp: Path) -> None:
        self.url = f"sqlite:///{tmp / 'hall.sqlite3'}"
        self.server, self.seeded = start_hall(tmp / "instance", self.url, delegates=6)
        db = Database(self.url)
        with db.session() as s:
            council = create_council(s, name="HĐND xã Khác", level=CouncilLevel.COMMUNE,
                                     locality="Khác", total_seats=3)
            self.other_delegates = add_delegates(s, council, 3, pin="1357")
            self.other_meeting = create_meeting(s, council, title="Kỳ họp khác", agenda=[("Mục 1", "")]).id
            s.commit()
            create_staff(s, username="chutoa2", password="pw-other-1", roles=[Role.CHAIR], council_id=council.id)
            clerk_id = s.scalar(select(StaffUser.id).where(StaffUser.username == "vanphong"))
            clerk = staff_principal(load_staff(s, clerk_id))
            minutes = draft_minutes(s, clerk, self.seeded.meeting_id, Settings(
                instance_path=tmp, public_base_url="http://127.0.0.1", trust_roots=()))
            s.commit()
            self.minutes_id, self.minutes_public_id = minutes.id, minutes.public_id  # unpublished
        db.dispose()
        self.base = self.server.url
        pw = self.seeded.staff_passwords
        self.chair = Sock(self.base, staff_http(self.base, "chutoa", pw["chutoa"]),
                          auth={"meeting_id": self.seeded.meeting_id}).connect()
        item = self.chair.call("state.snapshot")["snapshot"]["agenda"][1]["id"]
        self.item = item
        self.poll_id = self.chair.call("poll.create", {"op_id": new_op(), "agenda_item_id": item,
                                                       "question": "Câu hỏi"})["poll"]["id"]
        assert self.chair.call("poll.open", {"op_id": new_op(), "poll_id": self.poll_id})["ok"]
        self.delegate_http = delegate_http(self.base, self.seeded.delegates[0])
        self.sockets = {
            "delegate": Sock(self.base, self.delegate_http).connect(),
            "display": Sock(self.base, display_http(self.base, self.seeded.meeting_id,
                                                    self.seeded.display_key)).connect(),
            "secretary": Sock(self.base, staff_http(self.base, "thuky", pw["thuky"]),
                              auth={"meeting_id": self.seeded.meeting_id}).connect(),
            "clerk": Sock(self.base, staff_http(self.base, "vanphong", pw["vanphong"]),
                          auth={"meeting_id": self.seeded.meeting_id}).connect(),
            "chair": self.chair,
        }

    def payload(self, event: str) -> dict:
        d = self.seeded.delegates[1].id
        return {
            "agenda.select": {"item_id": self.item},
            "poll.create": {"agenda_item_id": self.item, "question": "Câu hỏi khác"},
            "poll.open": {"poll_id": self.poll_id},
            "poll.close": {"poll_id": self.poll_id},
            "poll.annul": {"poll_id": self.poll_id, "reason": "Thử quyền"},
            "attendance.set": {"delegate_id": d, "present": False},
            "device.release": {"delegate_id": d},
            "ballot.cast": {"poll_id": self.poll_id, "choice": "yes"},
        }[event] | {"op_id": new_op()}

    def ballots(self) -> dict[int, str]:
        db = Database(self.url)
        with db.session() as s:
            stored = ballots_of(s, self.poll_id)
        db.dispose()
        return stored


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    w = World(tmp_path_factory.mktemp("authz"))
    yield w
    for sock in w.sockets.values():
        sock.close()
    w.server.stop()


@pytest.mark.parametrize("role", ["delegate", "display", "secretary", "clerk"])
@pytest.mark.parametrize("event", CHAIR_EVENTS)
def test_only_the_chair_may_run_chair_events(world, role, event):
    before = world.sockets["chair"].call("state.snapshot")["snapshot"]
    answer = world.sockets[role].call(event, world.payload(event))
    assert answer == {"ok": False, "error": answer["error"]}
    assert answer["error"]["code"] == "forbidden"
    after = world.sockets["chair"].call("state.snapshot")["snapshot"]
    assert after["seq"] == before["seq"] and after["polls"] == before["polls"]


@pytest.mark.parametrize("role", ["display", "secretary", "clerk", "chair"])
def test_only_a_delegate_may_cast_a_ballot(world, role):
    answer = world.sockets[role].call("ballot.cast", world.payload("ballot.cast"))
    assert answer["ok"] is False and answer["error"]["code"] == "forbidden"
    assert world.ballots() == {}


def _refusal(base: str, headers: dict[str, str] | None = None, auth: dict | None = None) -> dict:
    client = socketio.Client(reconnection=False)
    refusals: list[dict] = []
    client.on("connect_error", refusals.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(base, headers=headers or {}, auth=auth, transports=["websocket"], wait_timeout=5)
    assert len(refusals) == 1
    return refusals[0]


def test_a_socket_without_a_session_is_refused_at_connect(world):
    refusal = _refusal(world.base)
    assert refusal["code"] == "unauthenticated" and refusal["message"]


def test_a_chair_of_another_council_cannot_follow_this_meeting(world):
    other = staff_http(world.base, "chutoa2", "pw-other-1")
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in other.cookies.items())}
    refusal = _refusal(world.base, headers, auth={"meeting_id": world.seeded.meeting_id})
    assert refusal["code"] == "wrong_meeting"


def test_a_staff_socket_must_name_its_meeting(world):
    chair = world.sockets["chair"].http
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in chair.cookies.items())}
    assert _refusal(world.base, headers)["code"] == "invalid_payload"
    assert _refusal(world.base, headers, auth={"meeting_id": "1"})["code"] == "invalid_payload"
    assert _refusal(world.base, headers, auth={"meeting_id": 424242})["code"] == "meeting_not_found"


def test_a_delegate_cannot_vote_in_another_meeting(world):
    other_http = delegate_http(world.base, world.other_delegates[0])
    sock = Sock(world.base, other_http).connect()
    answer = sock.call("ballot.cast", world.payload("ballot.cast"))
    sock.close()
    assert answer["ok"] is False and answer["error"]["code"] == "wrong_meeting"
    assert world.ballots() == {}


def test_a_delegate_session_cannot_pick_another_meeting_at_connect(world):
    sock = Sock(world.base, world.delegate_http, auth={"meeting_id": world.other_meeting}).connect()
    snap = sock.call("state.snapshot")["snapshot"]
    sock.close()
    assert snap["meeting"]["id"] == world.seeded.meeting_id


@pytest.mark.parametrize(
    ("who", "method", "path", "status"),
    [
        ("anonymous", "get", "/clerk/", 302),
        ("anonymous", "get", "/chair/meetings/{m}", 302),
        ("anonymous", "get", "/api/meetings/{m}/snapshot", 401),
        ("anonymous", "get", "/projector/meetings/{m}", 403),
        ("anonymous", "get", "/projector/meetings/{m}?key=wrong", 403),
        ("anonymous", "post", "/api/tablet/sign-out", 401),
        ("delegate", "get", "/clerk/", 302),
        ("delegate", "get", "/chair/meetings/{m}", 302),
        ("delegate", "get", "/api/meetings/{o}/snapshot", 403),
        ("chair", "get", "/clerk/", 403),
        ("chair", "post", "/clerk/meetings/{m}/cards", 403),
        ("other_chair", "get", "/chair/meetings/{m}", 403),
        ("other_chair", "get", "/api/meetings/{m}/snapshot", 403),
        ("other_chair", "get", "/projector/meetings/{m}", 403),
        ("clerk_without_csrf", "post", "/clerk/meetings/{m}/cards", 400),
        ("anonymous", "get", "/meetings/{m}/documents", 302),
        ("delegate", "get", "/meetings/{m}/documents", 302),
        ("other_chair", "get", "/meetings/{m}/documents", 403),
        ("chair", "post", "/meetings/{m}/documents/minutes", 403),
        ("chair", "post", "/meetings/{m}/documents/resolution", 403),
        ("anonymous", "get", "/documents/{d}", 302),
        ("delegate", "get", "/documents/{d}/v/1.pdf", 302),
        ("other_chair", "get", "/documents/{d}", 403),
        ("other_chair", "get", "/documents/{d}/v/1.pdf", 403),
        ("other_chair", "post", "/documents/{d}/sign", 403),
        ("other_chair", "post", "/documents/{d}/remote", 403),
        ("chair", "post", "/documents/{d}/number", 403),
        ("chair", "post", "/documents/{d}/publish", 403),
        ("chair", "post", "/documents/{d}/edit", 403),
        ("clerk", "post", "/documents/{d}/publish", 409),
        ("clerk_without_csrf", "post", "/documents/{d}/publish", 400),
        ("anonymous", "get", "/api/signing/AAAA-BBBB-CCCC-DDDD", 404),
        ("anonymous", "get", "/cong-khai/van-ban/{p}", 404),
        ("anonymous", "get", "/cong-khai/van-ban/{p}.pdf", 404),
    ],
)
def test_http_routes_refuse_the_wrong_principal(world, who, method, path, status):
    pw = world.seeded.staff_passwords
    sessions = {
        "anonymous": lambda: requests.Session(),
        "delegate": lambda: world.delegate_http,
        "chair": lambda: staff_http(world.base, "chutoa", pw["chutoa"]),
        "clerk": lambda: staff_http(world.base, "vanphong", pw["vanphong"]),
        "clerk_without_csrf": lambda: staff_http(world.base, "vanphong", pw["vanphong"]),
        "other_chair": lambda: staff_http(world.base, "chutoa2", "pw-other-1"),
    }
    url = world.base + path.format(m=world.seeded.meeting_id, o=world.other_meeting,
                                   d=world.minutes_id, p=world.minutes_public_id)
    session = sessions[who]()
    data = None
    if method == "post" and who in ("chair", "other_chair", "clerk"):
        page = session.get(world.base + "/", timeout=10).text
        data = {"csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)}
    answer = getattr(session, method)(url, data=data, allow_redirects=False, timeout=10)
    assert answer.status_code == status, answer.text[:300]


BAD_PAYLOADS = [
    ("ballot.cast", None, "invalid_payload"),
    ("ballot.cast", "yes", "invalid_payload"),
    ("ballot.cast", [1, 2], "invalid_payload"),
    ("ballot.cast", {"poll_id": "{p}", "choice": "yes"}, "invalid_payload"),
    ("ballot.cast", {"op_id": "short", "poll_id": "{p}", "choice": "yes"}, "invalid_payload"),
    ("ballot.cast", {"op_id": "OP", "poll_id": "1", "choice": "yes"}, "invalid_payload"),
    ("ballot.cast", {"op_id": "OP", "poll_id": 1.5, "choice": "yes"}, "invalid_payload"),
    ("ballot.cast", {"op_id": "OP", "poll_id": -1, "choice": "yes"}, "invalid_payload"),
    ("ballot.cast", {"op_id": "OP", "poll_id": 10**30, "choice": "yes"}, "invalid_payload"),
    ("ballot.cast", {"op_id": "OP", "poll_id": "{p}", "choice": 1}, "invalid_payload"),
    ("ballot.cast", {"op_id": "OP", "poll_id": "{p}", "choice": "x" * 10000}, "invalid_payload"),
    ("ballot.cast", {"op_id": "OP", "poll_id": "{p}", "choice": "maybe"}, "invalid_choice"),
    ("ballot.cast", {"op_id": "OP", "poll_id": 999999, "choice": "yes"}, "poll_not_found"),
    ("ballot.cast", {"op_id": "'; DROP TABLE ballots; --", "poll_id": "{p}", "choice": "yes"},
     "invalid_payload"),
    ("state.snapshot", "x", "invalid_payload"),
    ("no.such.event", {}, "unknown_event"),
]


@pytest.mark.parametrize(("event", "data", "code"), BAD_PAYLOADS)
def test_malformed_input_gets_a_stable_error_and_changes_nothing(world, event, data, code):
    sock = world.sockets["delegate"]
    if isinstance(data, dict):
        data = {k: (world.poll_id if v == "{p}" else new_op() if v == "OP" else v) for k, v in data.items()}
    answer = sock.call(event, data)
    assert answer["ok"] is False and answer["error"]["code"] == code
    assert answer["error"]["message"]
    assert world.ballots() == {}
    assert sock.call("state.snapshot")["ok"] is True  # still serving


def test_an_op_id_replayed_with_a_different_choice_is_refused(world):
    sock = Sock(world.base, delegate_http(world.base, world.seeded.delegates[2])).connect()
    op = new_op()
    first = sock.call("ballot.cast", {"op_id": op, "poll_id": world.poll_id, "choice": "yes"})
    again = sock.call("ballot.cast", {"op_id": op, "poll_id": world.poll_id, "choice": "no"})
    sock.close()
    assert first["ok"] is True
    assert again["ok"] is False and again["error"]["code"] == "op_id_conflict"
    assert world.ballots()[world.seeded.delegates[2].id] == "yes"


@pytest.mark.parametrize(
    ("body", "headers", "code"),
    [
        ("{not json", {"Content-Type": "application/json"}, "invalid_json"),
        ('["a"]', {"Content-Type": "application/json"}, "invalid_payload"),
        ('{"card_code": 5, "pin": "1234", "device_id": "abcdefgh"}', {"Content-Type": "application/json"},
         "invalid_payload"),
        ('{"card_code": "AAAA-BBBB-CCCC", "pin": "12", "device_id": "abcdefgh"}',
         {"Content-Type": "application/json"}, "invalid_payload"),
        ("card_code=x", {"Content-Type": "application/x-www-form-urlencoded"}, "invalid_json"),
    ],
)
def test_malformed_sign_in_requests_get_a_stable_error(world, body, headers, code):
    answer = requests.post(world.base + "/api/tablet/sign-in", data=body, headers=headers, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == code


@pytest.mark.parametrize(
    ("lang", "message"),
    [("vi", "Thẻ không hợp lệ hoặc đã được thay bằng thẻ mới."),
     ("en", "This card is not valid, or has been replaced by a new one.")],
)
def test_error_messages_follow_the_requested_language(world, lang, message):
    answer = requests.post(world.base + f"/api/tablet/sign-in?lang={lang}", timeout=10, json={
        "card_code": "AAAA-BBBB-CCCC", "pin": "2468", "device_id": "tablet-lang-test"})
    assert answer.status_code == 401
    assert answer.json()["error"] == {"code": "invalid_card", "message": message}
