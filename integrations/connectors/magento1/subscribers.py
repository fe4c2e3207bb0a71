"""Newsletter subscribers (`newsletterSubscriberList`: bridge only), read as OroCRM reads them.

The bridge lists subscribers newest id first (`subscriber_id DESC`), so the first sync walks down
the ids: the newest id is read with a 1 x 1 pager, then pages of `subscriber_id lt` the smallest id
read so far, which the checkpoint keeps (an interrupted first sync resumes there). Later runs read
by `change_status_at`: above the last one read (less the overlap) and up to the store's now, paged
by an id keyset rather than page numbers, so a subscriber that changes during the read cannot shift
another out of the page being read.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from channels.models import Customer, NewsletterSubscriber, Store
from integrations.connectors.magento1.streams import StoreScoped, complex_filter
from integrations.engine import values as v
from integrations.engine.contracts import Mapped, MappingError, Page, Ref, Refused
from integrations.engine.cursors import UpdatedAtKeyset, numeric_id, window_end

PAGE_SIZE = 100
STATUSES = {
    "1": NewsletterSubscriber.Status.SUBSCRIBED,
    "2": NewsletterSubscriber.Status.NOT_ACTIVE,
    "3": NewsletterSubscriber.Status.UNSUBSCRIBED,
    "4": NewsletterSubscriber.Status.UNCONFIRMED,
}

# -- mapping: a pure function -------------------------------------------------------------------------


def subscriber(raw: dict[str, Any]) -> Mapped:
    status = v.text(raw, "subscriber_status")
    if status not in STATUSES:
        raise MappingError(f"subscriber_status {status!r} is not one of 1 to 4")
    customer_id = v.whole_id(raw, "customer_id")
    customer_id = None if customer_id == "0" else customer_id  # Magento's 0: not a customer
    return Mapped(
        key=v.whole_id(raw, "subscriber_id", required=True),
        fields={
            "customer_remote_id": customer_id,
            "email": v.email(raw, "subscriber_email", required=False),
            "status": STATUSES[status],
            "confirm_code": v.text(raw, "subscriber_confirm_code"),
            "change_status_at": v.moment(raw, "change_status_at"),
        },
        refs={"store": Ref(Store, v.whole_id(raw, "store_id")), "customer": Ref(Customer, customer_id)},
    )


# -- the cursor -----------------------------------------------------------------------------------------

# fetch(conditions, page_size) -> the first page (newest id first) of the subscribers matching the
# (field, operator, value) conditions.
SubscriberFetch = Callable[[list[tuple[str, str, str]], int], list[dict[str, Any]]]


@dataclass
class SubscriberCursor:
    """Down the ids for the first sync, then `change_status_at` windows with an id keyset.

    State: {"cursor": "subscriber_ids", "phase": "initial", "initial_id", "below_id", "started"} while
    the first sync walks down (`below_id` is the smallest id written); then {"phase": "changes",
    "since", ["until", "below_id", "newest"]}: the window (since, until] read newest id first below
    `below_id`, `newest` being the latest `change_status_at` written. A finished window leaves
    `since` `overlap` before the newest change written (or where it was, if it wrote nothing); the
    first window starts `overlap` before the first sync began.
    """

    kind = "subscriber_ids"
    FORMAT = UpdatedAtKeyset.FORMAT

    fetch: SubscriberFetch
    now: datetime.datetime
    overlap: datetime.timedelta
    page_size: int = PAGE_SIZE
    local_now: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.UTC))
    log: Callable[[str], None] = lambda line: None

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        now = window_end(self.now, self.local_now, self.log)
        if state.get("phase") != "changes":
            state = yield from self._initial(state, now)
        yield from self._changes(state, now)

    # -- the first sync: down the ids --------------------------------------------------------------

    def _initial(self, state: dict[str, Any], now: datetime.datetime) -> Generator[Page, None, dict[str, Any]]:
        if state.get("phase") != "initial":
            newest = self.fetch([], 1)
            ids = [i for i in (_id(raw) for raw in newest) if i is not None]
            if newest and not ids:
                # The newest record's id cannot be read: the newest id is the largest of a whole page.
                ids = sorted((i for i in map(_id, self.fetch([], self.page_size)) if i is not None), reverse=True)
            started = UpdatedAtKeyset.format(now)
            if not ids:
                return self._changes_state(since=now - self.overlap)
            state = {"cursor": self.kind, "phase": "initial", "initial_id": str(ids[0] + 1), "started": started}
            state["below_id"] = state["initial_id"]
        while True:
            rows = self.fetch([("subscriber_id", "lt", state["below_id"])], self.page_size)
            written, refused = self._below(rows, int(state["below_id"]))
            if written:
                state = {**state, "below_id": str(min(_id(raw) for raw in written))}
            if len(rows) < self.page_size or not written:
                break
            yield Page(records=written, state=state, refused=refused)
        following = self._changes_state(since=UpdatedAtKeyset.parse(state["started"]) - self.overlap)
        yield Page(records=written, state=following, refused=refused)
        return following

    # -- later runs: change_status_at windows --------------------------------------------------------

    def _changes(self, state: dict[str, Any], now: datetime.datetime) -> Iterator[Page]:
        since = state["since"]
        until = state.get("until") or UpdatedAtKeyset.format(now)
        ceiling = UpdatedAtKeyset.parse(until)
        below = state.get("below_id")
        newest = UpdatedAtKeyset.parse(state["newest"]) if state.get("newest") else None
        # A store applies `from` and `to` together, but of `gt` with `lteq` only the first (OroCRM's own
        # `gt` + `lte` reads past the store's now): from/to, the window's first second read again.
        window = [("change_status_at", "from", since), ("change_status_at", "to", until)]
        while True:
            rows = self.fetch(window + ([("subscriber_id", "lt", below)] if below else []), self.page_size)
            written, refused = self._below(rows, int(below) if below else None)
            for moment in filter(None, map(_moment, written)):
                # A change claimed past the window proves nothing past the window's end.
                moment = min(moment, ceiling)
                newest = moment if newest is None else max(newest, moment)
            if written:
                below = str(min(_id(raw) for raw in written))
            if len(rows) < self.page_size or not written:
                break
            reached = {"cursor": self.kind, "phase": "changes", "since": since, "until": until, "below_id": below}
            if newest is not None:
                reached["newest"] = UpdatedAtKeyset.format(newest)
            yield Page(records=written, state=reached, refused=refused)
        following = since if newest is None else newest - self.overlap
        yield Page(records=written, state=self._changes_state(since=following), refused=refused, done=True)

    def _changes_state(self, since: datetime.datetime | str) -> dict[str, Any]:
        if isinstance(since, datetime.datetime):
            since = UpdatedAtKeyset.format(since)
        return {"cursor": self.kind, "phase": "changes", "since": since}

    def _below(self, rows: list[dict[str, Any]], below: int | None) -> tuple[list[dict[str, Any]], list[Refused]]:
        """The rows whose id is a whole number below `below` (the keyset), and those without one."""
        written, refused = [], []
        for raw in rows:
            ident = _id(raw)
            if ident is None:
                refused.append(
                    Refused(
                        payload=raw,
                        reason=f"subscriber_id {raw.get('subscriber_id')!r} is not a whole number: kept here, not "
                        "written",
                    )
                )
            elif below is None or ident < below:
                written.append(raw)
        return written, refused

    @staticmethod
    def describe(state: dict[str, Any]) -> str:
        if state.get("phase") == "initial":
            return f"first sync below subscriber id {state.get('below_id')}"
        return f"changes after {state['since']}" if state.get("since") else ""


def _id(raw: dict[str, Any]) -> int | None:
    try:
        return numeric_id(str(raw.get("subscriber_id") or "").strip())
    except ValueError:
        return None


def _moment(raw: dict[str, Any]) -> datetime.datetime | None:
    try:
        return v.moment(raw, "change_status_at")
    except MappingError:
        return None


# -- the stream -----------------------------------------------------------------------------------------


class SubscriberStream(StoreScoped):
    name = "newsletter_subscribers"
    model = NewsletterSubscriber
    id_field = "subscriber_id"
    bridge_list = "newsletterSubscriberList"
    native_list = ""  # the core API has none: the connector leaves subscribers out natively
    # Read by ids, not date windows: after the others, as listed (links to customers come either way).
    interleave = False

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        cursor = SubscriberCursor(
            fetch=self.fetch_page,
            now=self.soap.server_now,
            overlap=datetime.timedelta(seconds=settings.OROINT_SYNC["OVERLAP_SECONDS"]),
            log=lambda line: self.connector.log(f"{self.name}: {line}"),
        )
        yield from cursor.pages(state)

    def fetch_page(self, conditions: list[tuple[str, str, str]], page_size: int) -> list[dict[str, Any]]:
        pager = {"page": "1", "pageSize": str(page_size)}
        conditions = [*conditions, *self.scope_conditions()]
        # An empty complex_filter array is refused by the WSDL's schema; no condition is no filter at all.
        filters = complex_filter(*conditions) if conditions else {}
        return self.soap.call(self.bridge_list, filters, pager) or []

    def fetch_by_ids(self, remote_ids: list[str]) -> list[dict[str, Any]]:
        return self.fetch_page([("subscriber_id", "in", ",".join(remote_ids))], len(remote_ids))

    def map(self, raw: dict[str, Any]) -> Mapped:
        return subscriber(raw)
