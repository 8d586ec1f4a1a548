"""The live feed: snapshot first, then only the changes a viewer may see; a slow viewer is dropped, not waited for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fintech.analytics.v1 import aggregates_pb2

from services.console.app import feed as feed_module
from services.console.app.feed import Feed
from services.console.domain.panels import PANEL_TOPICS, Panel

REVIEW = PANEL_TOPICS[Panel.REVIEW]
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def entry(payment_id: str) -> bytes:
    return aggregates_pb2.ReviewQueueEntry(payment_id=payment_id).SerializeToString()


async def test_a_viewer_gets_the_snapshot_then_its_panels_changes_only():
    feed = Feed(timedelta(minutes=60))
    feed.apply([(REVIEW, "p-0", entry("p-0"))], NOW)
    reviewer = feed.follow(frozenset({Panel.REVIEW}))
    modeller = feed.follow(frozenset({Panel.FRAUD, Panel.SLO}))
    name, snapshot = await anext(reviewer)
    assert name == "snapshot" and set(snapshot["view"]["review"]) == {"p-0"} and "slo" not in snapshot
    name, snapshot = await anext(modeller)
    assert snapshot["view"] == {"fraud": {}} and snapshot["slo"]["rpcs"] == []
    changes, bad = feed.apply([(REVIEW, "p-1", entry("p-1")), (REVIEW, "p-0", None), (REVIEW, "x", b"\xff")], NOW)
    assert [c.key for c in changes] == ["p-1", "p-0"] and bad == [(REVIEW, "x")]
    name, update = await anext(reviewer)
    assert name == "update" and [(u["key"], u["value"] is None) for u in update] == [("p-1", False), ("p-0", True)]
    feed.set_slo({"rpcs": [{"job": "payments"}], "error": None})
    assert (await anext(modeller))[0] == "slo"  # the modeller saw no review update, only the SLOs
    await reviewer.aclose()
    await modeller.aclose()
    assert feed.viewers == 0


async def test_a_viewer_that_does_not_keep_up_is_dropped(monkeypatch):
    monkeypatch.setattr(feed_module, "QUEUE_LIMIT", 2)
    feed = Feed(timedelta(minutes=60))
    slow = feed.follow(frozenset({Panel.REVIEW}))
    await anext(slow)
    for index in range(5):
        feed.apply([(REVIEW, f"p-{index}", entry(f"p-{index}"))], NOW)
    assert feed.viewers == 0
    assert [message async for message in slow] == []  # its stream ends; the browser reconnects to a snapshot
