"""Real Chromium drives the chair console, two delegate tablets and the projector through a vote."""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sqlalchemy import func, select

from server.db.engine import Database
from server.db.models import Poll
from server.services.ballots import ballots_of

from ..conftest import require
from .test_documents import server_keys

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM} (Debian package chromium)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def _tablet(browser, base: str, cred, viewport: dict[str, int]):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect  # noqa: PLC0415

    page = browser.new_context(viewport=viewport, has_touch=True).new_page()
    page.goto(base + "/tablet")
    page.get_by_test_id("signin-card-code").fill(cred.card_code)
    for digit in cred.pin:
        page.get_by_test_id(f"key-{digit}").click()
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("delegate-name")).to_have_text(cred.name)
    return page


def test_a_vote_runs_from_the_chair_console_to_tablets_and_projector(browser, hall_server, artifacts: Path):
    from playwright.sync_api import expect  # noqa: PLC0415

    server, seeded = hall_server(delegates=5)
    url = server.database_url
    base = server.url
    chair = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    chair.goto(f"{base}/auth/login?next=/chair/meetings/{seeded.meeting_id}")
    chair.get_by_test_id("login-username").fill("chutoa")
    chair.get_by_test_id("login-password").fill(seeded.staff_passwords["chutoa"])
    chair.get_by_test_id("login-submit").click()
    chair.wait_for_url(f"**/chair/meetings/{seeded.meeting_id}")
    expect(chair.get_by_test_id("connection-status")).to_contain_text("Đã kết nối")

    projector = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(f"{base}/projector/meetings/{seeded.meeting_id}?key={seeded.display_key}")
    expect(projector.get_by_test_id("proj-council")).to_contain_text("Tân Phú", ignore_case=True)

    portrait = _tablet(browser, base, seeded.delegates[0], {"width": 800, "height": 1280})
    landscape = _tablet(browser, base, seeded.delegates[1], {"width": 1280, "height": 800})
    expect(chair.get_by_test_id("attendance-present")).to_have_text("2")

    chair.locator("[data-testid^=agenda-select-]").nth(1).click()
    expect(chair.get_by_test_id("poll-question")).to_have_value(re.compile(r"^Thông qua Báo cáo"))
    chair.get_by_test_id("poll-create").click()
    chair.locator("[data-testid^=poll-open-]").first.click()
    expect(chair.get_by_test_id("live-state")).to_have_text("Đang biểu quyết")

    expect(portrait.get_by_test_id("vote-yes")).to_have_text("Tán thành")
    portrait.get_by_test_id("vote-yes").click()
    expect(portrait.get_by_test_id("vote-confirm-box")).to_contain_text("Tán thành")
    portrait.screenshot(path=artifacts / "tablet-confirm.png")
    portrait.get_by_test_id("vote-confirm").click()
    expect(portrait.get_by_test_id("vote-recorded")).to_contain_text("Đã ghi nhận: Tán thành")
    portrait.screenshot(path=artifacts / "tablet-recorded.png")

    landscape.get_by_test_id("vote-no").click()
    landscape.get_by_test_id("vote-confirm").click()
    expect(landscape.get_by_test_id("vote-recorded")).to_contain_text("Không tán thành")
    landscape.get_by_test_id("vote-change").click()
    landscape.get_by_test_id("vote-yes").click()
    landscape.get_by_test_id("vote-confirm").click()
    expect(landscape.get_by_test_id("vote-recorded")).to_contain_text("Đã ghi nhận: Tán thành")

    expect(projector.get_by_test_id("projector")).to_have_attribute("data-view", "open")
    expect(chair.get_by_test_id("tally-voted")).to_have_text("Đã biểu quyết: 2")
    projector.screenshot(path=artifacts / "projector-open.png")

    chair.get_by_test_id("poll-close").click()
    chair.get_by_test_id("dialog-confirm").click()
    expect(projector.get_by_test_id("projector")).to_have_attribute("data-view", "closed")
    verdict = projector.get_by_test_id("result-verdict")
    expect(verdict).to_have_text("KHÔNG THÔNG QUA")  # 2 of 5 is not more than half of the total
    expect(projector.get_by_test_id("result-lines")).to_contain_text("Tán thành: 2/5 đại biểu (40,00%)")
    expect(projector.get_by_test_id("result-lines")).to_contain_text(
        "Không tham gia biểu quyết: 3/5 đại biểu (60,00%)")
    expect(portrait.get_by_test_id("vote-closed")).to_be_visible()
    expect(portrait.get_by_test_id("vote-my-choice")).to_contain_text("Tán thành")
    projector.screenshot(path=artifacts / "projector-closed.png")
    chair.screenshot(path=artifacts / "chair-closed.png", full_page=True)
    portrait.screenshot(path=artifacts / "tablet-closed.png")

    # The record is ready at once: the chair follows the console's link and signs it.
    keys = server_keys(server)
    ready = chair.get_by_test_id("document-ready").locator("a")
    expect(ready).to_contain_text("Kết quả biểu quyết: Thông qua Báo cáo")
    ready.click()
    chair.wait_for_url("**/documents/*")
    chair.get_by_test_id("sign-secret").fill(keys["chutoa"][1])
    chair.get_by_test_id("sign-submit").click()
    expect(chair.get_by_test_id("step-sign:ChuToa")).to_contain_text("Đã xong")
    expect(chair.get_by_test_id("step-sign:ThuKy")).to_contain_text("Đến lượt")
    expect(chair.get_by_test_id("doc-report")).to_contain_text("Hợp lệ")
    expect(chair.get_by_test_id("doc-report")).to_contain_text("chứng thư thử nghiệm")
    chair.screenshot(path=artifacts / "document-signed-by-chair.png", full_page=True)

    db = Database(url)
    with db.session() as s:
        poll_id = s.scalar(select(func.max(Poll.id)))
        assert ballots_of(s, poll_id) == {seeded.delegates[0].id: "yes", seeded.delegates[1].id: "yes"}
    db.dispose()


def test_a_tablet_shows_a_lost_connection_and_recovers_by_itself(browser, hall_server, artifacts: Path):
    from playwright.sync_api import expect  # noqa: PLC0415

    server, seeded = hall_server(delegates=2)
    tablet = _tablet(browser, server.url, seeded.delegates[0], {"width": 800, "height": 1280})
    server.kill()
    expect(tablet.get_by_test_id("connection-banner")).to_have_attribute("data-state", "disconnected",
                                                                         timeout=20000)
    tablet.screenshot(path=artifacts / "tablet-disconnected.png")
    server.start()
    expect(tablet.get_by_test_id("connection-status")).to_contain_text("Đã kết nối", timeout=30000)
    expect(tablet.get_by_test_id("delegate-name")).to_have_text(seeded.delegates[0].name)


def test_the_tablet_speaks_english_when_asked(browser, hall_server):
    from playwright.sync_api import expect  # noqa: PLC0415

    server, _seeded = hall_server(delegates=1)
    page = browser.new_context().new_page()
    page.goto(server.url + "/tablet?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("signin-submit")).not_to_contain_text("Đăng nhập")
