"""The clerk prints new sign-in cards; the old ones stop working."""
from __future__ import annotations

import re
import pypdfium2
import pytest
import requests

from .hall import staff_http

pytestmark = pytest.mark.e2e


def test_the_clerk_prints_new_cards_and_the_old_cards_stop_working(hall_server):
    server, seeded = hall_server(delegates=5)
    clerk = staff_http(server.url, "vanphong", seeded.staff_passwords["vanphong"])
    page = clerk.get(f"{server.url}/clerk/meetings/{seeded.meeting_id}", timeout=10)
    assert page.status_code == 200 and seeded.delegates[0].name in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = clerk.post(f"{server.url}/clerk/meetings/{seeded.meeting_id}/cards",
                        data={"csrf_token": token}, timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(answer.content)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert len(pdf) == 2 and all(d.name in text for d in seeded.delegates)
    new_codes = re.findall(r"Mã: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", text)
    assert len(new_codes) == 5 and seeded.delegates[0].card_code not in new_codes
    old = requests.post(f"{server.url}/api/tablet/sign-in", timeout=10, json={
        "card_code": seeded.delegates[0].card_code, "pin": "2468", "device_id": "tablet-old-card"})
    assert old.status_code == 401 and old.json()["error"]["code"] == "invalid_card"


def test_staff_sign_in_is_rate_limited_with_a_clear_vietnamese_message(hall_server):
    server, _seeded = hall_server(delegates=1)
    session = requests.Session()
    form = session.get(f"{server.url}/auth/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    statuses = []
    for _ in range(11):
        answer = session.post(f"{server.url}/auth/login", timeout=10, allow_redirects=False,
                              data={"username": "chutoa", "password": "sai-mat-khau", "csrf_token": token})
        statuses.append(answer.status_code)
    assert statuses == [200] * 10 + [429]
    assert "Bạn đã thử quá nhiều lần" in answer.text
    assert "Tên đăng nhập hoặc mật khẩu không đúng" not in answer.text
