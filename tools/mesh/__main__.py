"""`python -m tools.mesh up|down|status|logs|stop|start|restart|triton` (make up / make down / make status)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tools.mesh.component import MeshError
from tools.mesh.launcher import Mesh
from tools.mesh.triton import MODELS, run_in_foreground

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console()
# The readiness probes poll brokers that are still starting: aiokafka would log every refused connection.
logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
Components = Annotated[list[str] | None, typer.Argument(help="components (default: every one available)")]


@app.command()
def up(components: Components = None) -> None:
    """Start the mesh (or some components and their dependencies) and wait until ready."""
    mesh = Mesh()
    _run(lambda: mesh.up(*(components or [])))
    _print_table(mesh)
    console.print(f"ready in {mesh.elapsed:.1f} s; logs in {mesh.supervisor.log_dir}")
    for name in mesh.stale:
        console.print(f"[yellow]{name} runs with an older configuration: python -m tools.mesh restart {name}")


@app.command()
def down() -> None:
    """Stop every component and supervisord (data stays in the state directory)."""
    _run(Mesh().down)


@app.command()
def status() -> None:
    """Each component's process state and readiness probe; exit 1 unless all are ready."""
    mesh = Mesh()
    report = _print_table(mesh)
    if any(readiness != "ready" for _, readiness in report.values()):
        raise typer.Exit(1)


@app.command()
def stop(component: str) -> None:
    """Stop one component."""
    _run(lambda: Mesh().stop(component))


@app.command()
def start(component: str) -> None:
    """Start one component (and its dependencies) and wait until ready."""
    _run(lambda: Mesh().start(component))


@app.command()
def restart(component: str) -> None:
    """Stop and start one component (applies a changed configuration)."""
    _run(lambda: Mesh().restart(component))


@app.command()
def triton(
    model_repository: Annotated[Path, typer.Option(help="the model repository")] = MODELS,
) -> None:
    """Run Triton in the foreground, prepared as `up` prepares it (the Kubernetes container's command)."""
    run_in_foreground(model_repository)


@app.command()
def logs(
    component: Annotated[str | None, typer.Argument(help="component (default: list the log files)")] = None,
    lines: Annotated[int, typer.Option("-n", "--lines")] = 50,
    follow: Annotated[bool, typer.Option("-f", "--follow")] = False,
) -> None:
    """Show a component's log (var/log/<component>.log)."""
    supervisor = Mesh().supervisor
    if component is None:
        for path in sorted(supervisor.log_dir.glob("*.log")):
            console.print(str(path))
        return
    path = supervisor.log_file(component)
    if not path.exists():
        console.print(f"[red]no log at {path}")
        raise typer.Exit(1)
    if follow:
        os.execvp("tail", ["tail", "-n", str(lines), "-F", str(path)])
    sys.stdout.write(supervisor.tail(component, lines) + "\n")


def _print_table(mesh: Mesh) -> dict[str, tuple[str, str]]:
    report = mesh.report()
    table = Table("component", "process", "status", title=f"mesh in {mesh.settings.state_dir}")
    for name, (process, readiness) in report.items():
        colour = "green" if readiness == "ready" else "yellow" if readiness == "starting" else "red"
        table.add_row(name, process, f"[{colour}]{readiness}")
    console.print(table)
    return report


def _run(action: Callable[[], None]) -> None:
    try:
        action()
    except MeshError as error:
        typer.echo(str(error), err=True)  # plain: rich would re-wrap the log lines it quotes
        raise typer.Exit(1) from error


if __name__ == "__main__":
    app()
