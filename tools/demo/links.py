"""Where to look after the demo: the collectors' UIs and the trace of the demo's payment (ports from settings)."""

from __future__ import annotations

import time

from services.runtime.config import Settings
from tools.trace.jaeger_api import payment_trace_ids, trace_url

TRACE_PATIENCE = 6.0  # seconds: services send their spans every 2 s, Jaeger stores them within 1 s


def console(settings: Settings) -> list[tuple[str, str]]:
    """The operations console's row, when the mesh has it: its URL and a dev user to sign in as."""
    if "console" not in settings.services:
        return []
    url = f"http://{settings.mesh.host}:{settings.envoy.rest_port}{settings.console.path}/"
    users = settings.edge.users
    signin = ", ".join(f"{name} / {users[name].password}" for name in ("risk-officer-1", "admin-1") if name in users)
    return [("Operations console (live)", f"{url}  (sign in as {signin})" if signin else url)]


def links(settings: Settings, payment_id: str) -> list[tuple[str, str]]:
    """(what, where) rows: the operations console, Prometheus, Alertmanager, VictoriaLogs, the payment's trace in
    Jaeger and the command that draws it."""
    if not settings.mesh.collectors:
        return [
            *console(settings),
            ("Collectors", "left out ([mesh] collectors = false): no metrics, logs or traces are collected"),
        ]
    prometheus, alertmanager, logs = settings.prometheus, settings.alertmanager, settings.victorialogs
    rows = [
        *console(settings),
        ("Prometheus (metrics, rules)", f"http://{prometheus.host}:{prometheus.port}/alerts"),
        ("Alertmanager (alerts)", f"http://{alertmanager.host}:{alertmanager.port}/#/alerts"),
        ("VictoriaLogs (logs)", f"http://{logs.host}:{logs.port}/select/vmui/"),
    ]
    if settings.tracing.export:
        trace_id = _first_trace(settings, payment_id)
        where = trace_url(settings, trace_id) if trace_id else "not in Jaeger yet: run the command below in a moment"
        rows.append((f"Jaeger: trace of payment {payment_id[:8]}", where))
        rows.append(("its waterfall", f"python -m tools.trace {payment_id}"))
    else:
        rows.append(("Jaeger", "tracing export is off ([tracing] export = false)"))
    return rows


def _first_trace(settings: Settings, payment_id: str) -> str | None:
    deadline = time.monotonic() + TRACE_PATIENCE
    while True:
        try:
            found = payment_trace_ids(settings, payment_id, lookback="1h")
        except OSError:
            return None  # Jaeger is not running
        if found or time.monotonic() > deadline:
            return found[0] if found else None
        time.sleep(0.5)
