"""Order comments to order notes: which status history rows become notes, their key, their sanitised HTML.

A comment is HTML typed by a store admin (or written by an extension), shown again in the back office: it
goes through nh3 (the Rust ammonia sanitiser), never a hand-made regex. Safe inline tags stay; scripts,
styles, event handlers and `javascript:` links go, and a comment with no text left is no note.

Keys. The bridge (>= 1.2.19) sends each row's own id as `increment_id`; that is the note's remote id.
Without it (the native API, an older bridge) a row has no id, where OroCRM skips it. Here such a row is
keyed by what identifies it in the order's history instead: its `created_at`, its status and its place
among the rows of that same time and status, counted oldest first. Magento never edits or deletes a
history row, and a row added later at the same second and status comes after the ones before it, so the
key of a row never changes. A row without `created_at` cannot be keyed so and is skipped, as OroCRM does.
"""

from __future__ import annotations

import html
from typing import Any

import nh3

from integrations.engine import values as v

ALLOWED_TAGS = {"b", "i", "em", "strong", "p", "br", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https"}


def sanitise(comment: str) -> str:
    """The comment's HTML with only safe inline tags, and links only to http(s) addresses."""
    return nh3.clean(comment, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES).strip()


def has_text(fragment: str) -> bool:
    """Whether an HTML fragment shows any text (`<p></p>` and `&nbsp;` do not)."""
    return bool(html.unescape(nh3.clean(fragment, tags=set())).strip())


def order_notes(history: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The OrderNote rows of an order's status history: rows with a key and a comment with text."""
    rows = list(history or [])
    # Magento lists the newest row first; a row's place among its ties is counted from the oldest.
    rows.reverse()
    seen: dict[tuple[str, str], int] = {}
    notes = []
    for row in rows:
        created = v.text(row, "created_at")
        status = v.text(row, "status")
        place = seen.get((created, status), 0)
        seen[(created, status)] = place + 1
        remote_id = v.text(row, "increment_id") or (f"{created}|{status}|{place}" if created else "")
        message = sanitise(v.text(row, "comment"))
        if not remote_id or not has_text(message):
            continue
        notes.append(
            {
                "remote_id": remote_id,
                "message": message,
                "status": status[:64],
                "is_customer_notified": v.boolean(row, "is_customer_notified"),
                "remote_created_at": v.moment(row, "created_at"),
            }
        )
    return notes
