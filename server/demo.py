"""The demo session that `make run` starts with: seeded data plus printed cards and passwords."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from server.services.cards import CardPrint, render_cards_pdf
from server.services.setup import DEMO_SIGNERS, has_any_meeting, seed_demo, set_signing_key

SEAL_NAME = "Văn phòng HĐND xã Tân Phú"
"""Whose certificate the demo's office seal is (the clerk applies it)."""


def demo_pki(app: Any) -> dict[str, tuple[str, str]]:
    """The demo's test certificates in instance/pki; username → (key file, passphrase)."""
    from signing.pki import init_dev_pki  # noqa: PLC0415

    pki = init_dev_pki(
        Path(app.instance_path) / "pki",
        {
            "chutoa": DEMO_SIGNERS["chutoa"][1],
            "thuky": DEMO_SIGNERS["thuky"][1],
            "dauco": SEAL_NAME,
        },
    )
    files = {"chutoa": pki.signers["chutoa"], "thuky": pki.signers["thuky"],
             "vanphong": pki.signers["dauco"]}
    return {user: (f"pki/{f.p12_path.name}", f.passphrase) for user, f in files.items()}


def write_demo(app: Any, *, delegates: int = 30, if_empty: bool = True) -> str | None:
    """Seed the demo meeting and write instance/demo/{README.txt,cards.pdf}; None if not empty."""
    db = app.extensions["hall_db"]
    with db.session() as s:
        if if_empty and has_any_meeting(s):
            return None
        seeded = seed_demo(s, delegates=delegates)
        keys = demo_pki(app)
        for username, (path, _passphrase) in keys.items():
            set_signing_key(s, username, {"type": "pkcs12", "path": path})
        s.commit()
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
        "Khóa ký số trên máy chủ (chứng thư thử nghiệm, không dùng cho văn bản thật);",
        "nhập mật khẩu tệp khóa khi ký:",
        *(f"  {user:10} tệp {path:18} mật khẩu: {passphrase}" for user, (path, passphrase) in keys.items()),
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
