"""Signed documents through a real server: record on close, chair → secretary → number → seal."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from server.db.engine import Database
from server.demo import demo_pki
from server.services.setup import set_signing_key
from signing.pki import load_certificate
from signing.tsa import dev_tsa
from signing.verify import verify_pdf

from ..unit.signing_helpers import pdfsig_lines, softhsm_token
from .hall import Sock, chair_sock, delegate_http, new_op, open_poll, staff_http

pytestmark = pytest.mark.e2e


class _App:
    """What demo_pki needs of the app: the instance folder."""

    def __init__(self, instance: Path) -> None:
        self.instance_path = str(instance)


def server_keys(server) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Test certificates in the server's instance/pki, held for chutoa, thuky and vanphong."""
    keys = demo_pki(_App(server.instance))
    db = Database(server.database_url)
    with db.session() as s:
        for username, (path, _secret) in keys.items():
            set_signing_key(s, username, {"type": "pkcs12", "path": path})
        s.commit()
    db.dispose()
    return keys


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _post(http: requests.Session, url: str, **fields: str) -> requests.Response:
    token = _csrf(http.get(url.rsplit("/", 1)[0], timeout=10).text)
    return http.post(url, data={"csrf_token": token, **fields}, timeout=60, allow_redirects=False)


def test_a_closed_poll_is_recorded_signed_by_three_people_and_published(hall_server):
    server, seeded = hall_server(delegates=4)
    keys = server_keys(server)
    base = server.url
    chair = chair_sock(base, seeded)
    poll_id = open_poll(chair, question="Thông qua Nghị quyết về dự toán ngân sách xã năm 2027")
    tablets = [Sock(base, delegate_http(base, c)).connect() for c in seeded.delegates]
    for i, tablet in enumerate(tablets[:3]):
        ack = tablet.call("ballot.cast", {"op_id": new_op(), "poll_id": poll_id,
                                          "choice": "yes" if i else "no"})
        assert ack["ok"], ack
    assert chair.call("poll.close", {"op_id": new_op(), "poll_id": poll_id})["ok"]
    ready = chair.wait_for("document.ready", lambda d: d["poll_id"] == poll_id, timeout=20)
    doc_url = f"{base}/documents/{ready['document_id']}"

    people = {
        name: staff_http(base, name, seeded.staff_passwords[name])
        for name in ("chutoa", "thuky", "vanphong")
    }
    # a delegate's session cannot open the staff page, and a wrong passphrase changes nothing
    assert requests.get(doc_url, timeout=10, allow_redirects=False).status_code == 302
    wrong = _post(people["chutoa"], f"{doc_url}/sign", field="ChuToa", secret="sai-mat-khau")
    assert wrong.status_code == 400 and "Mật khẩu" in wrong.text
    out_of_turn = _post(people["thuky"], f"{doc_url}/sign", field="ThuKy", secret=keys["thuky"][1])
    assert out_of_turn.status_code == 409

    roots = [load_certificate(server.instance / "pki" / "root.pem")]
    steps = [
        ("chutoa", "sign", {"field": "ChuToa", "secret": keys["chutoa"][1]}, 1),
        ("thuky", "sign", {"field": "ThuKy", "secret": keys["thuky"][1]}, 2),
        ("vanphong", "number", {}, 2),
        ("vanphong", "sign", {"field": "DauCoQuan", "secret": keys["vanphong"][1]}, 3),
    ]
    for version, (who, action, fields, signatures) in enumerate(steps, start=2):
        answer = _post(people[who], f"{doc_url}/{action}", **fields)
        assert answer.status_code == 302, answer.text[:2000]
        pdf = people[who].get(f"{doc_url}/v/{version}.pdf", timeout=10)
        assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
        report = verify_pdf(pdf.content, trust_roots=roots)
        assert report.ok and len(report.signatures) == signatures, report

    page = people["vanphong"].get(doc_url, timeout=10).text
    assert "1/BB-HĐND" in page and "Nguyễn Văn An" in page and "chứng thư thử nghiệm" in page
    assert _post(people["vanphong"], f"{doc_url}/publish").status_code == 302
    public = requests.get(f"{base}/cong-khai/", params={"q": "du toan ngan sach"}, timeout=10)
    assert public.status_code == 200 and "1/BB-HĐND" in public.text
    for client in tablets + [chair]:
        client.close()
    # gevent patched ssl before anything imported it (the `sign` client's HTTP library included)
    assert "MonkeyPatchWarning" not in server.log_path.read_text(encoding="utf-8")


def _remote_code(http: requests.Session, doc_url: str, field: str) -> str:
    answer = _post(http, f"{doc_url}/remote", field=field)
    assert answer.status_code == 200, answer.text[:2000]
    found = re.search(r"--code ([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})", answer.text)
    assert found, "the page shows no signing command"
    return found.group(1)


def _hoitruong_sign(base: str, code: str, token, *extra: str, stdin: str = ""):  # type: ignore[no-untyped-def]
    command = [
        sys.executable, "-m", "server.cli", "sign", "--server", base, "--code", code,
        "--pkcs11-lib", token.lib_path, "--token-label", token.label,
        "--key-id", token.key_id.hex(), *extra,
    ]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONUTF8": "1"}, cwd=Path(__file__).parents[2])


def test_the_secretary_signs_with_a_usb_token_on_their_own_pc(hall_server):
    token = softhsm_token()
    server, seeded = hall_server(delegates=3, env={
        "HOITRUONG_TRUST_ROOTS": f"{Path('pki') / 'root.pem'},{token.pki.root_pem}",
    })
    keys = server_keys(server)
    base = server.url
    chair = chair_sock(base, seeded)
    poll_id = open_poll(chair, question="Thông qua chương trình kỳ họp")
    tablet = Sock(base, delegate_http(base, seeded.delegates[0])).connect()
    assert tablet.call("ballot.cast", {"op_id": new_op(), "poll_id": poll_id, "choice": "yes"})["ok"]
    assert chair.call("poll.close", {"op_id": new_op(), "poll_id": poll_id})["ok"]
    doc_url = f"{base}/documents/{chair.wait_for('document.ready')['document_id']}"
    chair_http = staff_http(base, "chutoa", seeded.staff_passwords["chutoa"])
    secretary = staff_http(base, "thuky", seeded.staff_passwords["thuky"])
    signed = _post(chair_http, f"{doc_url}/sign", field="ChuToa", secret=keys["chutoa"][1])
    assert signed.status_code == 302

    # The official reads what they sign, and may say no: nothing changes.
    code = _remote_code(secretary, doc_url, "ThuKy")
    declined = _hoitruong_sign(base, code, token, "--pin", token.pin, stdin="k\n")
    assert declined.returncode == 1 and "Đã hủy" in declined.stdout
    assert "Kết quả biểu quyết: Thông qua chương trình kỳ họp" in declined.stdout
    # A wrong PIN is refused with a clear message and nothing is stored.
    wrong = _hoitruong_sign(base, code, token, "--pin", "000000", "--yes")
    assert wrong.returncode == 1 and "PIN" in wrong.stdout, wrong.stdout + wrong.stderr
    assert secretary.get(f"{doc_url}/v/3.pdf", timeout=10).status_code == 404

    done = _hoitruong_sign(base, code, token, "--pin", token.pin, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Đã ký" in done.stdout and "phiên bản 3" in done.stdout
    pdf = secretary.get(f"{doc_url}/v/3.pdf", timeout=10).content
    roots = [load_certificate(server.instance / "pki" / "root.pem"), token.pki.trust_roots()[0]]
    report = verify_pdf(pdf, trust_roots=roots)
    assert report.ok and [s.field_name for s in report.signatures] == ["ChuToa", "ThuKy"]
    assert report.signatures[1].signer_common_name == token.certificate.subject.native["common_name"]
    assert pdfsig_lines(pdf, server.instance) == ["Signature is Valid."] * 2

    # The code is used up.
    again = _hoitruong_sign(base, code, token, "--pin", token.pin, "--yes")
    assert again.returncode == 1 and "Mã ký không đúng hoặc đã dùng" in again.stdout
    tablet.close()
    chair.close()


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_with_a_timestamp_authority_the_server_signs_pades_b_t(hall_server, tmp_path, async_mode):
    instance = tmp_path / "hall0"  # where hall_server puts its first server
    keys = demo_pki(_App(instance))
    with dev_tsa(instance / "pki") as tsa_url:
        server, seeded = hall_server(delegates=2, async_mode=async_mode,
                                     env={"HOITRUONG_TSA_URL": tsa_url})
        assert server.instance == instance
        server_keys(server)
        base = server.url
        chair = chair_sock(base, seeded)
        poll_id = open_poll(chair, question="Thông qua chương trình kỳ họp")
        assert chair.call("poll.close", {"op_id": new_op(), "poll_id": poll_id})["ok"]
        doc_url = f"{base}/documents/{chair.wait_for('document.ready')['document_id']}"
        chair_http = staff_http(base, "chutoa", seeded.staff_passwords["chutoa"])
        signed = _post(chair_http, f"{doc_url}/sign", field="ChuToa", secret=keys["chutoa"][1])
        assert signed.status_code == 302, signed.text[:2000]
        # the hall kept serving while the signature waited for its timestamp
        assert chair.call("state.snapshot")["ok"]
        pdf = chair_http.get(f"{doc_url}/v/2.pdf", timeout=10).content
        chair.close()
    report = verify_pdf(pdf, trust_roots=[load_certificate(instance / "pki" / "root.pem")])
    assert report.ok and report.signatures[0].timestamped and report.signatures[0].timestamp_ok
