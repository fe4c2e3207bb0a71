"""Cursors beyond the plain forward window: newest first, clock skew, old states, keysets, files.

The remote side is faked in memory (fetch functions over lists of records, a folder of real
files); the cursors are the real ones.
"""

import datetime
import itertools
import os
from collections import Counter

import pytest

from integrations.engine.cursors import (
    MAX_CLOCK_SKEW,
    FileCursor,
    RemoteFile,
    UpdatedAtIdKeyset,
    UpdatedAtKeyset,
    describe_state,
    numeric_id,
)
from integrations.engine.values import parse_timestamp

UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
OVERLAP = datetime.timedelta(minutes=5)
format_remote, parse_remote = UpdatedAtKeyset.format, UpdatedAtKeyset.parse

# A cursor that never ends would hang the test run: no sync here takes more pages than this.
PAGE_LIMIT = 2000


def read(pages) -> list:
    pages = list(itertools.islice(pages, PAGE_LIMIT))
    assert len(pages) < PAGE_LIMIT, "the cursor did not come to an end"
    return pages


def ids_of(pages) -> list[str]:
    return [r["id"] for p in pages for r in p.records]


# -- updated_at windows: the remote side ------------------------------------------------------------


class WindowStore:
    """A store answering `fetch(since, until, after_id, limit)` like Magento's filtered list call."""

    def __init__(self, records: list[dict]) -> None:
        self.records = records
        self.calls: list[tuple] = []

    @classmethod
    def every(cls, step: datetime.timedelta, *, start: datetime.datetime, end: datetime.datetime) -> "WindowStore":
        """A record every `step` from `start` up to `end`, 17 min 17 s past the step, ids ascending."""
        count = int((end - start) / step)
        moments = (start + i * step + datetime.timedelta(minutes=17, seconds=17) for i in range(count))
        return cls([{"id": str(i), "updated_at": format_remote(m)} for i, m in enumerate(moments, start=1)])

    def fetch(self, since: str, until: str, after_id: str | None, limit: int) -> list[dict]:
        self.calls.append((since, until, after_id, limit))
        after = -1 if after_id is None else int(after_id)
        rows = [r for r in self.records if since <= r["updated_at"] <= until and int(r["id"]) > after]
        return sorted(rows, key=lambda r: int(r["id"]))[:limit]

    def ids(self, newer_than: datetime.datetime | None = None) -> set[str]:
        return {r["id"] for r in self.records if newer_than is None or parse_remote(r["updated_at"]) >= newer_than}

    def newest(self) -> datetime.datetime:
        return max(parse_remote(r["updated_at"]) for r in self.records)


def keyset(store: WindowStore, **options) -> UpdatedAtKeyset:
    defaults = {
        "fetch": store.fetch,
        "id_of": lambda r: r["id"],
        "start": START,
        "now": NOW,
        "local_now": NOW,
        "page_size": 10,
        "overlap": OVERLAP,
    }
    return UpdatedAtKeyset(**{**defaults, **options})


START = datetime.datetime(2020, 1, 1, tzinfo=UTC)
NOW = datetime.datetime(2020, 3, 1, tzinfo=UTC)


# -- backwards: newest first ------------------------------------------------------------------------


def test_backwards_first_sync_reads_the_newest_records_first_and_each_once():
    store = WindowStore.every(6 * HOUR, start=START, end=NOW)
    pages = read(keyset(store, backwards=True, window=DAY).pages({}))

    # The first window is the newest day of the store, before anything older.
    first_window = [p for p in pages if p.state.get("until") == format_remote(NOW) and p.records]
    assert pages[0] is first_window[0]
    assert set(ids_of(first_window)) == store.ids(newer_than=NOW - DAY)
    assert len(ids_of(first_window)) == 4
    counts = Counter(ids_of(pages))
    assert set(counts) == store.ids()
    assert set(counts.values()) == {1}, "every record read exactly once"

    # Window after window goes further back in time, down to `start`, from a fixed frontier.
    backfill = [p for p in pages if p.records and p.state.get("phase") == "backfill"]
    assert sum(len(p.records) for p in backfill) == len(store.records)
    untils = [parse_remote(p.state["until"]) for p in backfill]
    assert untils == sorted(untils, reverse=True)
    assert {p.state["frontier"] for p in backfill} == {format_remote(NOW)}
    for page in backfill:
        assert all(page.state["since"] <= r["updated_at"] <= page.state["until"] for r in page.records)
    assert min(parse_remote(c[0]) for c in store.calls) == START

    # Then it goes on forwards: the next run starts `overlap` before the newest record it read.
    assert pages[-1].done
    assert pages[-1].state == {
        "cursor": "updated_at_keyset",
        "since": format_remote(store.newest() - OVERLAP),
        "until": None,
        "after_id": None,
        "floor": format_remote(START),  # what it read down to, for a start date moved earlier later
    }
    assert not any(p.done for p in pages[:-1])


def test_backwards_next_run_reads_forwards_from_the_frontier():
    store = WindowStore.every(6 * HOUR, start=START, end=NOW)
    first = read(keyset(store, backwards=True, window=DAY).pages({}))
    later = NOW + 3 * HOUR
    newest_read = store.newest()
    store.records.append({"id": "9999", "updated_at": format_remote(NOW + HOUR)})
    store.calls.clear()
    pages = read(keyset(store, backwards=True, window=DAY, now=later, local_now=later).pages(first[-1].state))
    # The new record, and again only what lies within `overlap` of the newest record read before.
    assert set(ids_of(pages)) == {"9999"} | store.ids(newer_than=newest_read - OVERLAP)
    assert len(ids_of(pages)) == 2
    assert all(parse_remote(since) >= newest_read - OVERLAP for since, *_ in store.calls)
    assert "phase" not in pages[-1].state


def assert_resumes_from_every_page(store: WindowStore, **options):
    """A run killed after page k, then resumed from page k's state: nothing it had not written is lost."""
    pages = read(keyset(store, **options).pages({}))
    assert set(ids_of(pages)) == store.ids()
    later = NOW + 2 * HOUR
    lost = {}
    for k in range(1, len(pages)):
        before = set(ids_of(pages[:k]))
        resumed = read(keyset(store, **{**options, "now": later, "local_now": later}).pages(pages[k - 1].state))
        missing = store.ids() - before - set(ids_of(resumed))
        if missing:
            lost[k] = (pages[k - 1].state, sorted(missing, key=int))
        assert resumed[-1].done
        assert "phase" not in resumed[-1].state
    if lost:
        k, (state, missing) = next(iter(lost.items()))
        pytest.fail(
            f"resumed after {len(lost)} of {len(pages) - 1} pages, records were lost; "
            f"first after page {k}, from state {state}: ids {missing} never read"
        )


def test_backwards_resume_after_any_page_loses_nothing():
    # A quiet store: windows grow as they go back (1, 2, 4... days).
    store = WindowStore.every(6 * HOUR, start=START, end=NOW)
    assert_resumes_from_every_page(store, backwards=True, window=DAY, page_size=7)


def test_backwards_resume_after_the_windows_shrank_loses_nothing():
    # A busy store: 24 records a day against a target of 4 a window, so windows halve from one day
    # down to six hours. A run killed inside a six-hour window must not skip the rest of it.
    start = NOW - 4 * DAY
    store = WindowStore.every(HOUR, start=start, end=NOW)
    assert_resumes_from_every_page(store, backwards=True, window=DAY, window_target=4, page_size=4, start=start)


# -- a clock that lies -------------------------------------------------------------------------------

MINUTE = datetime.timedelta(minutes=1)


@pytest.mark.parametrize("backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize(
    "remote_now",
    [datetime.datetime(2100, 1, 1, tzinfo=UTC), NOW + DAY, NOW + 30 * MINUTE],
    ids=["year-2100", "one-day-ahead", "within-the-skew"],
)
def test_a_store_clock_ahead_never_moves_the_checkpoint_past_what_was_read(backwards, remote_now):
    store = WindowStore.every(DAY, start=START, end=NOW)
    logged: list[str] = []
    pages = read(keyset(store, now=remote_now, local_now=NOW, backwards=backwards, log=logged.append).pages({}))
    assert set(ids_of(pages)) == store.ids()
    assert pages[-1].done
    assert all(parse_remote(until) <= NOW for _, until, *_ in store.calls), "windows end at the earlier clock"
    final = pages[-1].state
    assert parse_remote(final["since"]) == store.newest() - OVERLAP, "never past the newest record read"
    beyond = remote_now - NOW > MAX_CLOCK_SKEW
    assert len(logged) == (1 if beyond else 0), logged
    if beyond:
        assert "the store's clock says" in logged[0] and "ahead" in logged[0]
    # The store's data runs on the right clock: a change made right after our now is read next time,
    # with again only the records within `overlap` of the newest one read before.
    newest_read = store.newest()
    store.records.append({"id": "500", "updated_at": format_remote(NOW + MINUTE)})
    later = NOW + HOUR
    again = read(keyset(store, now=later, local_now=later).pages(final))
    assert set(ids_of(again)) == {"500"} | store.ids(newer_than=newest_read - OVERLAP)


def test_a_clock_behind_by_more_than_the_skew_is_logged_and_read_up_to():
    store = WindowStore.every(DAY, start=START, end=NOW)
    logged: list[str] = []
    behind = NOW - 3 * DAY
    pages = read(keyset(store, now=behind, local_now=NOW, log=logged.append).pages({}))
    assert set(ids_of(pages)) == store.ids(newer_than=START) - store.ids(newer_than=behind)
    assert len(logged) == 1 and "3 days behind" in logged[0]


def test_our_clock_and_the_store_date_ahead_of_its_database_lose_nothing():
    # The store's database clock is at NOW; its web server and our host both say 30 minutes later
    # (within the skew, so nothing is logged). Only the data says how far the store really got.
    store = WindowStore.every(DAY, start=START, end=NOW)
    ahead = NOW + 30 * MINUTE
    final = read(keyset(store, now=ahead, local_now=ahead).pages({}))[-1].state
    assert parse_remote(final["since"]) == store.newest() - OVERLAP
    store.records.append({"id": "500", "updated_at": format_remote(NOW + MINUTE)})
    later = ahead + HOUR
    assert "500" in ids_of(read(keyset(store, now=later, local_now=later).pages(final)))


def test_a_record_changed_behind_the_keyset_while_the_store_clock_lies_is_read_next_time():
    store = WindowStore([{"id": str(i), "updated_at": format_remote(START + i * HOUR)} for i in range(1, 31)])
    fetch = store.fetch

    def changing(since, until, after_id, limit, *rest):
        answer = fetch(since, until, after_id, limit, *rest)
        if after_id == "9":  # record 3 was written already, record 30 is still ahead: both change now
            for record in store.records:
                if record["id"] in ("3", "30"):
                    record["updated_at"] = format_remote(NOW + MINUTE * int(record["id"]) / 10)
        return answer

    lying = NOW + 50 * MINUTE  # within the skew: a Date header a little ahead of the database
    final = read(keyset(store, fetch=changing, now=lying, local_now=NOW).pages({}))[-1].state
    later = NOW + HOUR
    again = read(keyset(store, now=later, local_now=later).pages(final))
    assert {"3", "30"} <= set(ids_of(again))


def test_a_read_that_writes_nothing_stays_where_it_began():
    empty = WindowStore([])
    assert read(keyset(empty).pages({}))[-1].state["since"] == format_remote(START)
    old = WindowStore([{"id": "1", "updated_at": format_remote(START + HOUR)}])
    begun = {"cursor": "updated_at_keyset", "since": format_remote(START + DAY), "until": None, "after_id": None}
    pages = read(keyset(old).pages(begun))
    assert ids_of(pages) == [] and pages[-1].state["since"] == format_remote(START + DAY)


def test_a_read_resumed_inside_a_window_keeps_the_newest_record_it_wrote():
    store = WindowStore([{"id": str(i), "updated_at": format_remote(START + (40 - i) * HOUR)} for i in range(1, 36)])
    first = read(keyset(store).pages({}))
    killed_after = first[0].state  # ids 1 to 9 written: the newest of them is id 1
    assert killed_after["newest"] == format_remote(START + 39 * HOUR)
    resumed = read(keyset(store).pages(killed_after))
    assert resumed[-1].state["since"] == format_remote(START + 39 * HOUR - OVERLAP)


# -- states written by older versions ----------------------------------------------------------------


def legacy_store() -> WindowStore:
    """Ids 0 to 30, all inside [START, NOW]."""
    return WindowStore([{"id": str(i), "updated_at": format_remote(START + i * HOUR)} for i in range(31)])


def test_legacy_state_with_an_integer_after_id_resumes_after_it():
    store = legacy_store()
    state = {"since": format_remote(START), "until": format_remote(NOW), "after_id": 17}
    pages = read(keyset(store).pages(state))
    assert ids_of(pages) == [str(i) for i in range(18, 31)]
    assert store.calls[0] == (format_remote(START), format_remote(NOW), "17", 10)
    assert pages[0].state["cursor"] == "updated_at_keyset"


def test_legacy_after_id_zero_means_from_the_first():
    store = legacy_store()
    state = {"since": format_remote(START), "until": format_remote(NOW), "after_id": 0}
    pages = read(keyset(store).pages(state))
    assert ids_of(pages) == [str(i) for i in range(31)]
    assert store.calls[0][2] is None


def test_string_id_zero_is_a_real_id():
    store = legacy_store()
    state = {"cursor": "updated_at_keyset", "since": format_remote(START), "until": format_remote(NOW), "after_id": "0"}
    pages = read(keyset(store).pages(state))
    assert ids_of(pages) == [str(i) for i in range(1, 31)]
    assert store.calls[0][2] == "0"


def test_string_ids_sort_as_numbers():
    store = WindowStore([{"id": str(i), "updated_at": format_remote(START + i * HOUR)} for i in range(1, 13)])
    pages = read(keyset(store).pages({}))
    # The first answer ends with "9", "10": "10" is in order after "9" (held for the next answer).
    assert ids_of(pages[:1]) == [str(i) for i in range(1, 10)]
    assert not pages[0].refused
    assert [p.state["after_id"] for p in pages if p.records] == ["9", "11", "12"]
    assert store.calls[1][2] == "9"
    assert ids_of(pages) == [str(i) for i in range(1, 13)]


# -- (updatedAt, id) keyset: JSON:API stores ------------------------------------------------------------


TZ_PLUS_2 = datetime.timezone(datetime.timedelta(hours=2))
TZ_MINUS_5 = datetime.timezone(datetime.timedelta(hours=-5))
LOCAL_NOW = datetime.datetime(2024, 3, 6, tzinfo=UTC)
KEYSET_OVERLAP = datetime.timedelta(minutes=15)


def iso(moment: datetime.datetime, zone: datetime.timezone) -> str:
    text = moment.astimezone(zone).isoformat()
    return text.replace("+00:00", "Z")


class JsonApiStore:
    """`fetch(updated_gte, limit, page)`: records with updatedAt >= gte, sorted by (updatedAt, id)."""

    def __init__(self, records: list[dict], id_key=numeric_id) -> None:
        self.records = records
        self.id_key = id_key
        self.calls: list[tuple] = []

    def fetch(self, updated_gte: str | None, limit: int, page: int) -> list[dict]:
        self.calls.append((updated_gte, limit, page))
        rows = [
            r
            for r in self.records
            if updated_gte is None or parse_timestamp(r["updatedAt"]) >= parse_timestamp(updated_gte)
        ]
        rows.sort(key=self.key)
        return rows[(page - 1) * limit : page * limit]

    def key(self, record: dict) -> tuple:
        return (parse_timestamp(record["updatedAt"]), self.id_key(record["id"]))

    def ordered_ids(self) -> list[str]:
        return [r["id"] for r in sorted(self.records, key=self.key)]

    def newest(self) -> datetime.datetime:
        return max(parse_timestamp(r["updatedAt"]) for r in self.records)


def orders_store() -> JsonApiStore:
    """40 orders 7 minutes apart in three time zones, and 25 more that share one timestamp."""
    base = datetime.datetime(2024, 3, 5, 8, 0, tzinfo=UTC)
    zones = [TZ_PLUS_2, UTC, TZ_MINUS_5]
    records = [
        {"id": str(i), "updatedAt": iso(base + i * datetime.timedelta(minutes=7), zones[i % 3])} for i in range(1, 41)
    ]
    tie = base + datetime.timedelta(hours=2, seconds=30)
    records += [{"id": str(i), "updatedAt": iso(tie, zones[i % 3])} for i in range(100, 125)]
    return JsonApiStore(records)


def id_keyset(store: JsonApiStore, **options) -> UpdatedAtIdKeyset:
    defaults = {
        "fetch": store.fetch,
        "updated_of": lambda r: r["updatedAt"],
        "id_of": lambda r: r["id"],
        "page_size": 10,
        "overlap": KEYSET_OVERLAP,
        "id_key": store.id_key,
        "local_now": LOCAL_NOW,
    }
    return UpdatedAtIdKeyset(**{**defaults, **options})


def test_keyset_reads_every_record_once_in_order():
    store = orders_store()
    pages = read(id_keyset(store).pages({}))
    assert ids_of(pages) == store.ordered_ids()
    assert pages[-1].done
    assert not any(p.done for p in pages[:-1])


def test_keyset_state_keeps_the_offset_of_the_remote_timestamp():
    store = JsonApiStore([{"id": "1", "updatedAt": "2024-03-05T14:11:52+02:00"}])
    pages = read(id_keyset(store).pages({}))
    assert pages[0].state == {"cursor": "updated_at_id", "updated_at": "2024-03-05T14:11:52+02:00", "id": "1"}
    assert (
        parse_timestamp(pages[-1].state["updated_at"])
        == datetime.datetime(2024, 3, 5, 12, 11, 52, tzinfo=UTC) - KEYSET_OVERLAP
    )


@pytest.mark.parametrize(
    "ids",
    [
        [str(i) for i in range(1, 26)],  # numeric ids: "10" after "9"
        [f"{i * 2654435761 % 2**32:08x}" for i in range(1, 26)],  # opaque ids that sort as text
    ],
    ids=["numeric", "text"],
)
def test_keyset_reads_more_than_a_page_of_ties(ids):
    tie = "2024-03-05T10:00:00+02:00"
    records = [{"id": "0", "updatedAt": "2024-03-05T09:59:59+02:00"}]
    records += [{"id": ident, "updatedAt": tie} for ident in ids]
    records += [{"id": "999999999", "updatedAt": "2024-03-05T10:00:01+02:00"}]
    id_key = numeric_id if ids[0] == "1" else str
    store = JsonApiStore(records, id_key=id_key)
    pages = read(id_keyset(store, id_key=id_key).pages({}))
    assert ids_of(pages) == store.ordered_ids()
    assert len(ids_of(pages)) == 27
    # Pages past the first are only ever asked for within the tied timestamp.
    assert {parse_timestamp(gte) for gte, _, page in store.calls if page > 1} == {parse_timestamp(tie)}


def test_keyset_resumes_from_every_page_without_loss_or_rereading():
    store = orders_store()
    pages = read(id_keyset(store).pages({}))
    everything = Counter(store.ordered_ids())
    for k in range(1, len(pages)):
        if pages[k - 1].done:
            continue
        before = ids_of(pages[:k])
        after = ids_of(read(id_keyset(store).pages(pages[k - 1].state)))
        assert Counter(before + after) == everything, f"resumed after page {k}"
        assert before + after == store.ordered_ids()


def test_keyset_finishes_overlap_before_the_newest_and_rereads_only_the_overlap():
    store = orders_store()
    pages = read(id_keyset(store).pages({}))
    final = pages[-1].state
    assert final["cursor"] == "updated_at_id"
    assert parse_timestamp(final["updated_at"]) == store.newest() - KEYSET_OVERLAP
    assert final["id"] == ""

    again = read(id_keyset(store).pages(final))
    within = {r["id"] for r in store.records if parse_timestamp(r["updatedAt"]) >= store.newest() - KEYSET_OVERLAP}
    assert len(within) == 3  # the newest and the two 7 and 14 minutes before it
    assert Counter(ids_of(again)) == Counter(within)
    assert parse_timestamp(again[-1].state["updated_at"]) == store.newest() - KEYSET_OVERLAP


def test_keyset_nothing_to_read_leaves_an_empty_state():
    pages = read(id_keyset(JsonApiStore([])).pages({}))
    assert [(p.records, p.state, p.done) for p in pages] == [([], {}, True)]


def test_keyset_record_far_in_the_future_does_not_push_the_state_past_the_local_clock():
    store = orders_store()
    store.records.append({"id": "7777", "updatedAt": "2100-01-01T00:00:00+02:00"})
    ceiling = LOCAL_NOW + MAX_CLOCK_SKEW
    pages = list(itertools.islice(id_keyset(store).pages({}), 100))
    states = [parse_timestamp(p.state["updated_at"]) for p in pages if p.state]
    assert max(states) <= ceiling
    assert Counter(ids_of(pages))["7777"] == 1, "the future record is read once, not again and again"
    assert pages[-1].done, "the read comes to an end"
    assert parse_timestamp(pages[-1].state["updated_at"]) <= ceiling - KEYSET_OVERLAP


# -- files ---------------------------------------------------------------------------------------------


class Folder:
    """A folder of export files on disk, listed and read the way an SFTP or local transport does."""

    EPOCH = datetime.datetime(2024, 3, 1, tzinfo=UTC).timestamp()

    def __init__(self, path) -> None:
        self.path = path
        self.reads: list[str] = []

    def write(self, name: str, text: str, *, minute: int) -> None:
        target = self.path / name
        target.write_text(text)
        self.touch(name, minute=minute)

    def touch(self, name: str, *, minute: int) -> None:
        moment = self.EPOCH + minute * 60
        os.utime(self.path / name, (moment, moment))

    def list_files(self) -> list[RemoteFile]:
        files = []
        for entry in sorted(self.path.iterdir()):
            stat = entry.stat()
            modified = datetime.datetime.fromtimestamp(stat.st_mtime, UTC)
            files.append(RemoteFile(entry.name, stat.st_size, modified))
        return files

    def read(self, name: str) -> bytes:
        self.reads.append(name)
        return (self.path / name).read_bytes()

    @staticmethod
    def parse(name: str, body: bytes) -> list[dict]:
        return [{"file": name, "line": line} for line in body.decode().splitlines()]

    def cursor(self) -> FileCursor:
        return FileCursor(list_files=self.list_files, read=self.read, parse=self.parse)


def lines_of(page) -> list[str]:
    return [r["line"] for r in page.records]


@pytest.fixture
def folder(tmp_path):
    folder = Folder(tmp_path)
    folder.write("a.csv", "a1\na2\n", minute=20)
    folder.write("b.csv", "b1\n", minute=10)
    folder.write("c.csv", "c1\nc2\nc3\n", minute=30)
    return folder


def test_files_first_pass_reads_each_file_oldest_first(folder):
    pages = read(folder.cursor().pages({}))
    assert [lines_of(p) for p in pages] == [["b1"], ["a1", "a2"], ["c1", "c2", "c3"], []]
    assert [p.done for p in pages] == [False, False, False, True]
    assert [sorted(p.state["seen"]) for p in pages[:3]] == [["b.csv"], ["a.csv", "b.csv"], ["a.csv", "b.csv", "c.csv"]]
    assert pages[-1].state["cursor"] == "file"


def test_files_second_pass_reads_nothing(folder):
    final = read(folder.cursor().pages({}))[-1].state
    folder.reads.clear()
    pages = read(folder.cursor().pages(final))
    assert [(p.records, p.done) for p in pages] == [([], True)]
    assert folder.reads == []
    assert pages[-1].state == final


def test_files_resume_after_a_file_reads_only_the_rest(folder):
    first = read(folder.cursor().pages({}))
    pages = read(folder.cursor().pages(first[0].state))
    assert [lines_of(p) for p in pages] == [["a1", "a2"], ["c1", "c2", "c3"], []]


def test_files_touched_file_is_not_parsed_again(folder):
    final = read(folder.cursor().pages({}))[-1].state
    folder.touch("a.csv", minute=40)
    pages = read(folder.cursor().pages(final))
    assert [(p.records, p.done) for p in pages] == [([], False), ([], True)]
    # The new modification time is remembered: the next pass does not even read it.
    folder.reads.clear()
    assert [p.records for p in read(folder.cursor().pages(pages[-1].state))] == [[]]
    assert folder.reads == []


def test_files_changed_file_is_read_again(folder):
    final = read(folder.cursor().pages({}))[-1].state
    folder.write("a.csv", "a1\na2\na3\n", minute=40)
    pages = read(folder.cursor().pages(final))
    assert [lines_of(p) for p in pages] == [["a1", "a2", "a3"], []]
    assert pages[-1].state["seen"]["a.csv"] != final["seen"]["a.csv"]


def test_files_same_size_new_content_is_read_again(folder):
    final = read(folder.cursor().pages({}))[-1].state
    folder.write("b.csv", "B1\n", minute=50)
    pages = read(folder.cursor().pages(final))
    assert [lines_of(p) for p in pages] == [["B1"], []]


def test_files_deleted_file_is_forgotten(folder):
    final = read(folder.cursor().pages({}))[-1].state
    (folder.path / "b.csv").unlink()
    pages = read(folder.cursor().pages(final))
    assert [p.records for p in pages] == [[]]
    assert sorted(pages[-1].state["seen"]) == ["a.csv", "c.csv"]
    # Should it come back, it is a new file again.
    folder.write("b.csv", "b1\n", minute=60)
    assert [lines_of(p) for p in read(folder.cursor().pages(pages[-1].state))] == [["b1"], []]


# -- describe_state ---------------------------------------------------------------------------------------


def test_describe_state_of_each_cursor_kind(folder):
    assert describe_state({}) == ""

    store = legacy_store()
    window = read(keyset(store).pages({}))
    inside = describe_state(window[0].state)
    assert format_remote(START) in inside
    assert format_remote(NOW) in inside
    assert "after id 8" in inside  # ids 0 to 9 answered; 9 is written with the next answer
    complete = describe_state(window[-1].state)
    assert format_remote(store.newest() - OVERLAP) in complete
    assert complete != inside

    soon = START + 2 * DAY
    newest_first = describe_state(read(keyset(store, backwards=True, now=soon, local_now=soon).pages({}))[0].state)
    assert "newest first" in newest_first
    assert "after id 8" in newest_first

    keyset_state = read(id_keyset(JsonApiStore([{"id": "5", "updatedAt": "2024-03-05T14:11:52+02:00"}])).pages({}))
    text = describe_state(keyset_state[0].state)
    assert "2024-03-05T14:11:52+02:00" in text
    assert "5" in text

    assert "3 file(s)" in describe_state(read(folder.cursor().pages({}))[-1].state)


def test_describe_legacy_state_without_a_cursor_name():
    text = describe_state({"since": "2020-01-01 00:00:00", "until": "2020-03-01 00:00:00", "after_id": 17})
    assert "2020-01-01 00:00:00" in text
    assert "2020-03-01 00:00:00" in text
    assert "17" in text
    assert describe_state({"since": "2020-01-01 00:00:00", "until": None, "after_id": None}) != ""
