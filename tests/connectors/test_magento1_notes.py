"""Order comments to notes: the nh3 sanitiser, which rows become notes, and how rows without an id are keyed."""

from integrations.connectors.magento1 import mappers, notes


def row(comment, created="2025-03-01 10:00:00", status="processing", **extra):
    return {"created_at": created, "status": status, "comment": comment, "is_customer_notified": "0", **extra}


def test_scripts_styles_handlers_and_javascript_links_are_removed_safe_tags_kept():
    clean = notes.sanitise(
        '<p onclick="steal()">Paid <b>in full</b>, <em>thanks</em><script>alert(1)</script></p>'
        '<style>p{display:none}</style><a href="javascript:alert(1)">click</a> '
        '<a href="https://shop.example.com/track" onmouseover="x()">track</a><img src=x onerror="y()"><br>'
        "<ul><li>one</li></ul><iframe src='https://evil.example.com'></iframe>"
    )
    assert "<b>in full</b>" in clean and "<em>thanks</em>" in clean and "<li>one</li>" in clean and "<br>" in clean
    assert 'href="https://shop.example.com/track"' in clean
    for gone in ("script", "alert", "style", "display:none", "onclick", "onmouseover", "javascript:", "img", "iframe"):
        assert gone not in clean, gone


def test_rows_with_nothing_left_to_read_are_no_notes():
    history = [
        row("<script>alert(1)</script>", increment_id="4"),
        row("<p> &nbsp; </p>", increment_id="3"),
        row("", increment_id="2"),
        row(None, increment_id="1"),
    ]
    assert notes.order_notes(history) == []


def test_bridge_rows_are_keyed_by_their_own_id():
    history = [row("<b>Shipped</b>", increment_id="12", is_customer_notified="1"), row("Placed", increment_id="11")]
    found = {n["remote_id"]: n for n in notes.order_notes(history)}
    assert set(found) == {"11", "12"}
    assert found["12"]["message"] == "<b>Shipped</b>" and found["12"]["is_customer_notified"]
    assert found["12"]["remote_created_at"].isoformat() == "2025-03-01T10:00:00+00:00"


def test_rows_without_an_id_keep_their_key_when_the_store_adds_rows():
    # Magento lists the newest row first; a later row at the same second and status comes first.
    before = [row("second", status="pending"), row("first", status="pending"), row("older", "2025-03-01 09:00:00")]
    after = [row("third", status="pending"), *before]
    keys_before = {n["message"]: n["remote_id"] for n in notes.order_notes(before)}
    keys_after = {n["message"]: n["remote_id"] for n in notes.order_notes(after)}
    assert len(set(keys_after.values())) == 4
    assert {m: keys_after[m] for m in keys_before} == keys_before


def test_a_row_with_neither_id_nor_time_cannot_be_keyed_and_is_skipped():
    assert notes.order_notes([row("Called the customer", created=None)]) == []


def test_an_order_carries_its_notes():
    raw = {
        "order_id": "5",
        "increment_id": "100000005",
        "store_id": "1",
        "customer_id": "3",
        "status_history": [row("<i>Packed</i>", increment_id="9"), row("", increment_id="8")],
    }
    mapped = mappers.order(raw, {"1": "1"})
    assert [n["message"] for n in mapped.children["notes"]] == ["<i>Packed</i>"]
