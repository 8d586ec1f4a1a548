"""How the demo talks: numbered steps, tables and short explanations on the terminal (rich)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from google.protobuf.descriptor import EnumDescriptor
from rich.console import Console
from rich.table import Table


class Narrator:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self.step_number = 0

    def step(self, title: str, why: str) -> None:
        self.step_number += 1
        self.console.rule(f"[bold]{self.step_number}. {title}")
        self.console.print(why, style="dim")

    def table(self, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        table = Table(title=title, title_justify="left", header_style="bold")
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(str(value) for value in row))
        self.console.print(table)

    def say(self, text: str, style: str | None = None) -> None:
        self.console.print(text, style=style)

    @contextmanager
    def working(self, text: str) -> Iterator[None]:
        with self.console.status(text):
            yield


def label(enum: EnumDescriptor, number: int) -> str:
    """An enum value as a reader wants it: KYC_CHECK_STATE_VERIFIED -> VERIFIED."""
    value = enum.values_by_number.get(number)
    if value is None:
        return str(number)
    prefix = "".join(f"{part.upper()}_" for part in _words(enum.name))
    return value.name.removeprefix(prefix)


def _words(camel: str) -> list[str]:
    words, current = [], ""
    for char in camel:
        if char.isupper() and current:
            words.append(current)
            current = ""
        current += char
    return [*words, current]
