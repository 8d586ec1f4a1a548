"""A trace as rows of a terminal waterfall: each span under its parent, its offset from the trace's start,
its duration and a bar on one time axis. Pure: spans in, text out (tests/trace/test_waterfall.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BAR_WIDTH = 40


@dataclass(frozen=True)
class Span:
    span_id: str
    parent_id: str  # "" for a root
    service: str
    name: str
    start_ns: int
    end_ns: int
    kind: str = ""


@dataclass(frozen=True)
class Row:
    span: Span
    depth: int
    offset_ms: float
    duration_ms: float
    bar: str


def rows(spans: Iterable[Span], width: int = BAR_WIDTH) -> list[Row]:
    """Depth first from the roots, children by start time. A span whose parent is not in the trace (not
    exported, not sampled, dropped) is shown as a root, so no span is lost from the picture."""
    spans = list(spans)
    if not spans:
        return []
    ids = {span.span_id for span in spans}
    children: dict[str, list[Span]] = {}
    for span in spans:
        parent = span.parent_id if span.parent_id in ids and span.parent_id != span.span_id else ""
        children.setdefault(parent, []).append(span)
    for siblings in children.values():
        siblings.sort(key=lambda s: (s.start_ns, s.end_ns, s.span_id))
    start = min(span.start_ns for span in spans)
    total = max(max(span.end_ns for span in spans) - start, 1)
    ordered: list[Row] = []
    seen: set[str] = set()

    def visit(span: Span, depth: int) -> None:
        if span.span_id in seen:  # a cycle in bad data: show each span once
            return
        seen.add(span.span_id)
        ordered.append(
            Row(
                span,
                depth,
                (span.start_ns - start) / 1e6,
                (span.end_ns - span.start_ns) / 1e6,
                bar(span, start, total, width),
            )
        )
        for child in children.get(span.span_id, []):
            visit(child, depth + 1)

    for root in children.get("", []):
        visit(root, 0)
    for span in spans:  # only spans in a parent cycle remain: none reachable from a root
        if span.span_id not in seen:
            visit(span, 0)
    return ordered


def bar(span: Span, start_ns: int, total_ns: int, width: int = BAR_WIDTH) -> str:
    """The span's place on the trace's time axis, `width` cells wide: at least one cell, even for the
    shortest span."""
    first = min(int((span.start_ns - start_ns) * width / total_ns), width - 1)
    last = max(first + 1, min(width, round((span.end_ns - start_ns) * width / total_ns)))
    return " " * first + "█" * (last - first) + " " * (width - last)


def render(spans: Iterable[Span], width: int = BAR_WIDTH) -> str:
    """The waterfall as text: service, operation (indented by depth), start offset, duration, bar."""
    table = rows(spans, width)
    if not table:
        return "(no spans)\n"
    service_width = max(len("service"), *(len(row.span.service) for row in table))
    name_width = max(len("operation"), *(2 * row.depth + len(row.span.name) for row in table))
    header = f"{'service':<{service_width}}  {'operation':<{name_width}}  {'start ms':>9}  {'ms':>9}  |{'':<{width}}|"
    lines = [header]
    for row in table:
        name = "  " * row.depth + row.span.name
        lines.append(
            f"{row.span.service:<{service_width}}  {name:<{name_width}}  "
            f"{row.offset_ms:>9.1f}  {row.duration_ms:>9.1f}  |{row.bar}|"
        )
    total_ms = max(row.offset_ms + row.duration_ms for row in table)
    services = sorted({row.span.service for row in table})
    lines.append(f"{len(table)} spans, {total_ms:.1f} ms, services: {', '.join(services)}")
    return "\n".join(lines) + "\n"
