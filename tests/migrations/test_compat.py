"""The expand/contract rules on schema descriptions (pure)."""

from __future__ import annotations

from typing import Any

from tools.migrations.compat import breaks


def column(type_: str = "TEXT", *, nullable: bool = False, server_default: bool = False, default: bool = False):
    return {"type": type_, "nullable": nullable, "server_default": server_default, "default": default}


PREVIOUS: dict[str, dict[str, dict[str, Any]]] = {
    "accounts": {"id": column("UUID"), "note": column(nullable=True), "kind": column(default=True)},
}


def test_expanding_breaks_nothing():
    migrated = {
        "accounts": {
            **PREVIOUS["accounts"],
            "label": column(nullable=True),
            "tier": column("INTEGER", server_default=True),
        },
        "new_table": {"id": column("UUID")},
    }
    assert breaks(PREVIOUS, migrated) == []


def test_a_table_or_column_the_previous_release_maps_must_stay():
    assert breaks(PREVIOUS, {}) == ["accounts: dropped or renamed, but the previous release maps it"]
    migrated = {"accounts": {"id": column("UUID"), "kind": column()}}
    assert breaks(PREVIOUS, migrated) == ["accounts.note: dropped or renamed, but the previous release maps it"]


def test_a_type_change_breaks():
    migrated = {"accounts": {**PREVIOUS["accounts"], "id": column("TEXT")}}
    assert breaks(PREVIOUS, migrated) == ["accounts.id: type changed from UUID to TEXT"]


def test_not_null_on_a_column_the_previous_release_leaves_empty_breaks_even_with_a_server_default():
    tightened = {**PREVIOUS["accounts"], "note": column(server_default=True)}
    assert breaks(PREVIOUS, {"accounts": tightened}) == [
        "accounts.note: now NOT NULL, but the previous release may insert it empty"
    ]
    # Already NOT NULL before: nothing changes for the old code.
    assert breaks(PREVIOUS, {"accounts": {**PREVIOUS["accounts"], "kind": column(server_default=True)}}) == []


def test_a_new_required_column_needs_a_server_default():
    migrated = {"accounts": {**PREVIOUS["accounts"], "tier": column("INTEGER")}}
    assert breaks(PREVIOUS, migrated) == [
        "accounts.tier: new NOT NULL column without a server default; the previous release's inserts leave it "
        "out (add it nullable or with a default first)"
    ]
    # A client-side default of the new release does not help the old code.
    migrated["accounts"]["tier"] = column("INTEGER", default=True)
    assert len(breaks(PREVIOUS, migrated)) == 1
