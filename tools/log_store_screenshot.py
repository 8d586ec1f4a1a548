"""Retake README's picture of VictoriaLogs' UI: one payment's log lines at every hop, from a running mesh.

    make up && make demo
    python -m tools.log_store_screenshot [request id] [--out docs/img/victorialogs.png]

Without a request id it takes the newest payment the edge accepted (the access log's POST /v1/payments, 200).
Headless Chromium (Debian `chromium`) loads /select/vmui/ with the LogsQL query and saves a 1400x800 PNG.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import urllib.parse
from pathlib import Path
from typing import Annotated

import typer

from services.runtime.config import ROOT, get_settings
from tools.log_store import query, quoted

OUT = ROOT / "docs" / "img" / "victorialogs.png"
WIDTH, HEIGHT = 1400, 800
# Milliseconds of page time Chromium grants the UI to run its query and draw the rows before the shot.
RENDER_BUDGET_MS = 8000

app = typer.Typer(add_completion=False)


def newest_payment_request_id() -> str:
    accepted = '_time:1d _msg:=access method:=POST path:="/v1/payments" status:=200'
    lines = query(get_settings(), f"{accepted} | sort by (_time) desc", limit=1)
    if not lines:
        raise typer.BadParameter("no payment in the log store: run `make demo` first")
    return str(lines[0]["request_id"])


def ui_url(request_id: str) -> str:
    logsql = f"request_id:={quoted(request_id)} | sort by (_time)"
    fields = {"query": logsql, "g0.range_input": "1d", "limit": "100", "view": "table"}
    return f"{get_settings().victorialogs.url}/select/vmui/#/?{urllib.parse.urlencode(fields)}"


@app.command()
def main(
    request_id: Annotated[str | None, typer.Argument(help="default: the newest payment's")] = None,
    out: Annotated[Path, typer.Option(help="where the PNG goes")] = OUT,
) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise typer.BadParameter("chromium is not installed (apt-get install chromium)")
    url = ui_url(request_id or newest_payment_request_id())
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        command = [
            chromium,
            "--headless",
            "--no-sandbox",  # as root in a container: Chromium's sandbox needs user namespaces
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},{HEIGHT}",
            f"--virtual-time-budget={RENDER_BUDGET_MS}",
            f"--screenshot={out}",
            url,
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
    typer.echo(f"{out} ({url})")


if __name__ == "__main__":
    app()
