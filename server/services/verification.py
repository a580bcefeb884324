"""Verifying a PDF against the server's trust roots, as `hoitruong verify --json` does."""
from __future__ import annotations

import copy
import hashlib
import threading
import time
from collections import OrderedDict
from typing import Any

from server.services.documents import Settings


def trust_roots(settings: Settings) -> list[Any]:
    from signing.pki import load_certificate  # noqa: PLC0415

    return [load_certificate(path) for path in settings.trust_roots if path.exists()]


_VERIFIED: OrderedDict[tuple[str, tuple[tuple[str, int], ...]], tuple[float, dict[str, Any]]] = (
    OrderedDict()
)


_VERIFIED_MAX = 256


_VERIFIED_SECONDS = 600.0  # a revocation or expiry shows within ten minutes
_verified_lock = threading.Lock()


def verify_bytes(data: bytes, settings: Settings) -> dict[str, Any]:
    """The same report as ``hoitruong verify --json``.

    Reports are remembered for ten minutes by the file's hash and the trust roots' files (a
    public page is read far more often than a document changes); a changed root is a new key.
    """
    from signing.verify import report_to_dict, verify_pdf  # noqa: PLC0415

    roots = tuple(
        (str(path), path.stat().st_mtime_ns) for path in settings.trust_roots if path.exists()
    )
    key = (hashlib.sha256(data).hexdigest(), roots)
    now = time.monotonic()
    with _verified_lock:
        cached = _VERIFIED.get(key)
        if cached is not None and now - cached[0] < _VERIFIED_SECONDS:
            _VERIFIED.move_to_end(key)
            return copy.deepcopy(cached[1])
    report = report_to_dict(verify_pdf(data, trust_roots=trust_roots(settings)))
    with _verified_lock:
        _VERIFIED[key] = (now, copy.deepcopy(report))
        while len(_VERIFIED) > _VERIFIED_MAX:
            _VERIFIED.popitem(last=False)
    return report
