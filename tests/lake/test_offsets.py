"""The lake's offset bookkeeping (services/lake/domain/offsets.py): pure rules, no mesh."""

from __future__ import annotations

from services.lake.domain import offsets


def test_offsets_survive_a_round_trip_through_a_snapshot_summary() -> None:
    value = offsets.render({3: 17, 0: 5})
    assert value == '{"0":5,"3":17}'
    assert offsets.parse(value) == {0: 5, 3: 17}
    assert offsets.parse(None) == {} and offsets.parse("") == {}


def test_a_merge_keeps_every_partition_and_never_moves_one_back() -> None:
    assert offsets.merge({0: 10, 1: 4}, {1: 9, 2: 1}) == {0: 10, 1: 9, 2: 1}
    assert offsets.merge({0: 10}, {0: 7}) == {0: 10}


def test_records_the_table_covers_are_not_appended_again() -> None:
    covered = {0: 10, 1: 4}
    assert offsets.not_covered([(0, 9), (0, 10), (1, 3), (1, 4), (2, 0)], covered) == [False, True, False, True, True]


def test_the_newest_summary_with_offsets_says_where_to_resume() -> None:
    newest_first = [
        {"operation": "replace"},  # a compaction: no offsets of its own
        {offsets.OFFSETS_PROPERTY: '{"0":12}'},
        {offsets.OFFSETS_PROPERTY: '{"0":3}'},
    ]
    assert offsets.latest(newest_first) == {0: 12}
    assert offsets.latest([{"operation": "append"}]) == {}
