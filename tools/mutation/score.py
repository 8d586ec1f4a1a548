"""A module's mutation score from mutmut's results and the explained survivors (survivors.toml).

Pure: the caller reads mutmut's files and hands over names, statuses and diffs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

TARGET = 0.90

# mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code). A mutant that makes the tests hang or
# crash is caught: the suite did not pass.
KILLED = {1, 3, 36, 24, -24, 152, 255, -11, -9}
NO_TESTS = {5, 33}
NOT_RUN = {None, 2, 34}

# mutmut names a mutant <module>.x_<function>__mutmut_<n>, or <module>.xǁ<Class>ǁ<method>__mutmut_<n>.
_NAME = re.compile(r"^(?P<module>.+)\.x(?:_(?P<function>\w+?)|ǁ(?P<cls>\w+)ǁ(?P<method>\w+?))__mutmut_\d+$")


def function_of(mutant: str) -> str:
    """The mutated function as survivors.toml names it: `check` or `Class.method`."""
    match = _NAME.match(mutant)
    if not match:
        raise ValueError(f"not a mutmut mutant name: {mutant}")
    if match["function"]:
        return match["function"]
    return f"{match['cls']}.{match['method']}"


def mutated_line(diff: str) -> str:
    """The first line the mutant adds, stripped: how survivors.toml quotes a mutant ('' if it only deletes)."""
    for line in diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            return line[1:].strip()
    return ""


@dataclass(frozen=True)
class Survivor:
    mutant: str
    function: str
    line: str
    diff: str
    no_tests: bool  # no unit test reaches the function at all


@dataclass
class ModuleScore:
    path: str
    mutants: int = 0
    killed: int = 0
    io: int = 0  # in functions the unit tests cannot reach (survivors.toml `io`)
    not_run: int = 0
    equivalent: list[tuple[Survivor, str]] = field(default_factory=list)
    survivors: list[Survivor] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # explanations that match no surviving mutant

    @property
    def scored(self) -> int:
        return self.mutants - self.io - self.not_run - len(self.equivalent)

    @property
    def score(self) -> float:
        return self.killed / self.scored if self.scored else 1.0

    @property
    def passed(self) -> bool:
        return self.score >= TARGET and not self.stale and not self.not_run


def score_module(
    path: str,
    results: Mapping[str, int | None],
    explained: Mapping[str, object],
    diff_of: Callable[[str], str],
) -> ModuleScore:
    """Score one module: `results` maps mutant names to mutmut exit codes, `explained` is its survivors.toml table."""
    io = set(cast(list[str], explained.get("io", [])))  # survivors.toml: a list of function names
    entries = cast(list[dict[str, str]], explained.get("equivalent", []))  # ... and of {function, mutant, why}
    equivalent: dict[tuple[str, str], str] = {
        (entry["function"], entry["mutant"].strip()): entry["why"] for entry in entries
    }
    used: set[tuple[str, str]] = set()
    module = ModuleScore(path)
    for mutant, code in sorted(results.items(), key=lambda item: _order(item[0])):
        module.mutants += 1
        function = function_of(mutant)
        if function in io or function.split(".")[0] in io:
            module.io += 1
        elif code in KILLED:
            module.killed += 1
        elif code in NOT_RUN:
            module.not_run += 1
        else:
            diff = diff_of(mutant)
            survivor = Survivor(mutant, function, mutated_line(diff), diff, code in NO_TESTS)
            why = equivalent.get((function, survivor.line))
            if why is None:
                module.survivors.append(survivor)
            else:
                used.add((function, survivor.line))
                module.equivalent.append((survivor, why))
    module.stale = [f"{function}: {line}" for function, line in equivalent if (function, line) not in used]
    return module


def _order(mutant: str) -> tuple[str, int]:
    name, _, number = mutant.rpartition("__mutmut_")
    return name, int(number)


def report(modules: Iterable[ModuleScore]) -> str:
    """The Markdown report: the score per module, then every survivor with its diff or its explanation."""
    modules = list(modules)
    lines = [
        "# Mutation testing",
        "",
        f"Each module must kill {TARGET:.0%} of its scored mutants (all mutants less those in I/O functions and the "
        "equivalent ones explained in tools/mutation/survivors.toml).",
        "",
        "| module | mutants | I/O | equivalent | killed | survived | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for module in modules:
        mark = "" if module.passed else " ✗"
        lines.append(
            f"| {module.path} | {module.mutants} | {module.io} | {len(module.equivalent)} | {module.killed} | "
            f"{len(module.survivors)} | {module.score:.1%}{mark} |"
        )
    for module in modules:
        if not (module.survivors or module.equivalent or module.stale or module.not_run):
            continue
        lines += ["", f"## {module.path}"]
        if module.not_run:
            lines += ["", f"{module.not_run} mutants were not run: run `make mutation` again."]
        for text in module.stale:
            lines += ["", f"- stale explanation, no such survivor: `{text}`"]
        for survivor in module.survivors:
            reached = " (no unit test reaches this function)" if survivor.no_tests else ""
            lines += ["", f"### survived: {survivor.mutant}{reached}", "", "```diff", survivor.diff, "```"]
        if module.equivalent:
            lines += ["", "Equivalent mutants:", ""]
            lines += [f"- `{survivor.function}`: `{survivor.line}`: {why}" for survivor, why in module.equivalent]
    return "\n".join(lines) + "\n"
