"""`python -m tools.policy check|graph|matrix [--write] [--istio DIR] [--descriptors FILE]` (make policy).

`matrix` prints the role x operation table of the contracts' access rules; `--write` puts it into README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tools.policy import __doc__ as summary
from tools.policy import access
from tools.policy.check import ISTIO, Policies
from tools.policy.contracts import DESCRIPTOR_SET


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.policy", description=summary.splitlines()[0])
    parser.add_argument("command", choices=("check", "graph", "matrix"))
    parser.add_argument("--write", action="store_true", help="matrix: write the table into README.md")
    parser.add_argument("--istio", type=Path, default=ISTIO, help="directory of the policies (default: istio/)")
    parser.add_argument("--descriptors", type=Path, default=DESCRIPTOR_SET, help="descriptor set of the contracts")
    args = parser.parse_args(argv)
    policies = Policies(args.istio, args.descriptors)
    if args.command == "graph":
        print_graph(policies)
        return 0
    if args.command == "matrix":
        table = access.matrix(policies.rpcs)
        if args.write:
            access.README.write_text(access.readme_with(table, access.README.read_text()))
        else:
            print(table)
        return 0
    problems = policies.problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {args.istio}", file=sys.stderr)
        return 1
    print(f"{len(policies.files)} authorization policies in {args.istio}: principals, paths and reachability sound")
    return 0


def print_graph(policies: Policies) -> None:
    table = Table("caller", "→ service", "may call", title="calls the authorization policies allow", show_lines=True)
    health_only: dict[str, list[str]] = {}
    for (caller, service), methods in sorted(policies.graph().items()):
        if methods == ["health"]:  # every workload may check every service: one line below, not a row each
            health_only.setdefault(service, []).append(caller)
            continue
        table.add_row(caller, service, "\n".join(methods))
    console = Console(width=160)
    console.print(table)
    for service, callers in health_only.items():
        console.print(f"{service}: health checks only from {', '.join(callers)}")


if __name__ == "__main__":
    sys.exit(main())
