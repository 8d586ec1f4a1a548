"""`python -m tools.demo`: play the scenario against the mesh that `make up` started."""

from __future__ import annotations

import typer

from services.runtime.config import get_settings
from tools.demo.narration import Narrator
from tools.demo.scenario import Scenario
from tools.edge.rest import RestError


def main() -> None:
    narrator = Narrator()
    try:
        Scenario(get_settings(), narrator).play()
    except RestError as error:
        narrator.say(f"[red]The edge answered HTTP {error.status}: {error.body}")
        raise typer.Exit(1) from None
    except OSError as error:
        narrator.say(f"[red]The mesh is not reachable ({error}); start it with `make up`.")
        raise typer.Exit(1) from None


if __name__ == "__main__":
    typer.run(main)
