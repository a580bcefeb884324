"""The demo session that `make run` starts with: seeded data plus printed cards and passwords."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from server.services.cards import CardPrint, render_cards_pdf
from server.services.setup import has_any_meeting, seed_demo


def write_demo(app: Any, *, delegates: int = 30, if_empty: bool = True) -> str | None:
    """Seed the demo meeting and write instance/demo/{README.txt,cards.pdf}; None if not empty."""
    db = app.extensions["hall_db"]
    with db.session() as s:
        if if_empty and has_any_meeting(s):
            return None
        seeded = seed_demo(s, delegates=delegates)
    out = Path(app.instance_path) / "demo"
    out.mkdir(parents=True, exist_ok=True)
    host = f"http://{app.config['HOST']}:{app.config['PORT']}"
    cards = [CardPrint(d.name, "Đại biểu HĐND", d.seat, "", d.card_code) for d in seeded.delegates]
    (out / "cards.pdf").write_bytes(
        render_cards_pdf(
            cards,
            council_name="Hội đồng nhân dân xã Tân Phú",
            meeting_title="Kỳ họp thứ Năm",
            signin_url=f"{host}/tablet",
        )
    )
    lines = [
        "Hội trường số — dữ liệu thử nghiệm (demo)",
        "",
        "Tài khoản cán bộ (đăng nhập tại /auth/login):",
        *(f"  {user:10} mật khẩu: {password}" for user, password in seeded.staff_passwords.items()),
        "",
        f"Máy chiếu: {host}/projector/meetings/{seeded.meeting_id}?key={seeded.display_key}",
        "",
        "Thẻ đại biểu (mã thẻ + PIN; bản in: cards.pdf):",
        *(f"  {d.seat:5} {d.name:28} mã thẻ: {d.card_code}   PIN: {d.pin}" for d in seeded.delegates),
        "",
    ]
    (out / "README.txt").write_text("\n".join(lines), encoding="utf-8")
    (out / "README.txt").chmod(0o600)
    return str(out / "README.txt")
