"""Pub/Sub messages -> raw records, page URLs to fetch, or rejects (pure: no Beam, no Pub/Sub).

A message's data is one of:
- an article as a JSON object with the JSONL fields (`id`, `url`, `source`, `title`, `summary`,
  `text`, `html`, `published`): read exactly as a JSONL line is;
- several such objects, one per line (a publisher that batches);
- a page to fetch: a bare `http(s)://` URL, or a JSON object with a `url` and neither `text` nor
  `html`.
Anything else becomes a reject (stage "read", as a bad JSONL line). A record's input_ref is
`pubsub:<subscription or topic>/<message id>` (`:LINE` added for batched lines), so a message
Pub/Sub delivers twice gives the same reference and the same article id.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from transforms.common.rejects import make_reject
from transforms.read.files import STAGE, parse_jsonl_line

RECORD, URL, REJECT = "record", "url", "reject"


def message_ref(source: str, message_id: str | None, attributes: dict | None) -> str:
    """Where a message came from; the publisher's `id` attribute stands in for a missing id."""
    ident = message_id or (attributes or {}).get("id") or "unknown"
    return f"pubsub:{source}/{ident}"


def _wants_fetch(line: bytes) -> str | None:
    """The URL of a JSON object that names a page and carries no content, else None."""
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("url"), str):
        return None
    if str(obj.get("text") or "").strip() or str(obj.get("html") or "").strip():
        return None
    return obj["url"]


def parse_message(data: bytes | None, attributes: dict | None, message_id: str | None,
                  source: str) -> list[tuple[str, object]]:
    """(kind, value) pairs: (RECORD, raw record dict), (URL, page URL), (REJECT, reject row)."""
    ref = message_ref(source, message_id, attributes)
    body = (data or b"").strip()
    if not body:
        return [(REJECT, make_reject(ref, STAGE, "empty", "message has no data"))]
    if body.startswith((b"http://", b"https://")) and len(body.split()) == 1:
        return [(URL, body.decode("utf-8", errors="replace"))]
    lines = [line for line in body.split(b"\n") if line.strip()]
    out: list[tuple[str, object]] = []
    for number, line in enumerate(lines, start=1):
        line_ref = ref if len(lines) == 1 else f"{ref}:{number}"
        url = _wants_fetch(line)
        if url:
            out.append((URL, url))
            continue
        parsed = parse_jsonl_line(line_ref, line)
        if isinstance(parsed, dict):
            out.append((REJECT, parsed))
        elif parsed is not None:
            out.append((RECORD, asdict(parsed)))
    return out
