"""The signing settings of this request: instance folder, public address, TSA, trust roots."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, request

from server.services.documents import Settings


def document_settings() -> Settings:
    config = current_app.config
    instance = Path(current_app.instance_path)
    roots_setting = str(config.get("TRUST_ROOTS") or "")
    # relative paths are inside the instance folder
    roots = tuple(instance / p.strip() for p in roots_setting.split(",") if p.strip()) or (
        instance / "pki" / "root.pem",
    )
    base = str(config.get("PUBLIC_BASE_URL") or request.host_url)
    return Settings(
        instance_path=instance,
        public_base_url=base,
        timestamp_url=config.get("TSA_URL") or None,
        trust_roots=roots,
    )
