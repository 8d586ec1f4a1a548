"""The waterfall's rows: tree order, offsets, durations, bars; and the v3 API's JSON read into spans."""

from __future__ import annotations

from tools.trace.jaeger_api import spans_of
from tools.trace.waterfall import Span, bar, render, rows

MS = 1_000_000


def span(span_id: str, parent: str, start_ms: float, end_ms: float, service: str = "payments", name: str = "") -> Span:
    return Span(span_id, parent, service, name or span_id, int(start_ms * MS), int(end_ms * MS))


def test_children_follow_their_parent_in_start_order_with_offsets_from_the_trace_start() -> None:
    spans = [
        span("c2", "root", 30, 40),
        span("root", "", 10, 110, "envoy"),
        span("c1", "root", 20, 25),
        span("g1", "c1", 21, 24),
    ]
    table = rows(spans, width=10)
    assert [(r.span.span_id, r.depth) for r in table] == [("root", 0), ("c1", 1), ("g1", 2), ("c2", 1)]
    assert [r.offset_ms for r in table] == [0.0, 10.0, 11.0, 20.0]
    assert [r.duration_ms for r in table] == [100.0, 5.0, 3.0, 10.0]
    assert table[0].bar == "█" * 10
    assert table[3].bar == "  █       "


def test_a_span_whose_parent_is_missing_is_shown_as_a_root_and_none_is_lost() -> None:
    spans = [span("a", "", 0, 10), span("orphan", "not-exported", 5, 6), span("b", "a", 1, 2)]
    table = rows(spans)
    assert [(r.span.span_id, r.depth) for r in table] == [("a", 0), ("b", 1), ("orphan", 0)]


def test_spans_in_a_parent_cycle_are_each_shown_once() -> None:
    table = rows([span("x", "y", 0, 1), span("y", "x", 1, 2), span("self", "self", 0, 2)])
    assert sorted(r.span.span_id for r in table) == ["self", "x", "y"]


def test_a_bar_is_at_least_one_cell_and_stays_inside_the_axis() -> None:
    assert bar(span("s", "", 0, 0.001), 0, 100 * MS, width=10) == "█         "
    assert bar(span("s", "", 100, 100), 0, 100 * MS, width=10) == "         █"
    assert bar(span("s", "", 50, 100), 0, 100 * MS, width=10) == "     █████"
    assert all(len(bar(span("s", "", s, s + 7), 0, 100 * MS, width=20)) == 20 for s in range(0, 94, 3))


def test_render_prints_service_operation_offset_duration_and_bar_per_span() -> None:
    text = render([span("root", "", 0, 50, "envoy", "ingress"), span("c", "root", 10, 30, "payments", "Initiate")], 10)
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["service", "operation", "start", "ms"]
    assert lines[1].split()[:4] == ["envoy", "ingress", "0.0", "50.0"]
    assert lines[2].split()[:4] == ["payments", "Initiate", "10.0", "20.0"]
    assert lines[2].index("Initiate") == lines[1].index("ingress") + 2  # a child is indented under its parent
    assert lines[2].endswith("|  ████    |")
    assert lines[-1] == "2 spans, 50.0 ms, services: envoy, payments"
    assert render([]) == "(no spans)\n"


def test_v3_answers_are_read_with_each_resources_service_and_hex_ids() -> None:
    document = {
        "result": {
            "resourceSpans": [
                {
                    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "risk"}}]},
                    "scopeSpans": [
                        {
                            "spans": [
                                {
                                    "traceId": "0af7651916cd43dd8448eb211c80319c",
                                    "spanId": "B7AD6B7169203331",
                                    "parentSpanId": "AAECAwQFBgc=",  # base64, as plain protobuf JSON writes it
                                    "name": "/fintech.risk.v1.X/Screen",
                                    "kind": 2,
                                    "startTimeUnixNano": "1000",
                                    "endTimeUnixNano": "3000",
                                },
                                {"spanId": "00f067aa0ba902b7", "name": "p", "kind": "SPAN_KIND_PRODUCER"},
                            ]
                        }
                    ],
                }
            ]
        }
    }
    first, second = spans_of(document)
    assert first == Span(
        "b7ad6b7169203331", "0001020304050607", "risk", "/fintech.risk.v1.X/Screen", 1000, 3000, "server"
    )
    assert (second.parent_id, second.kind, second.service) == ("", "producer", "risk")
    assert spans_of({}) == []
