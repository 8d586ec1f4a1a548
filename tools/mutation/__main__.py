"""`make mutation`: mutmut over the pure rule modules, then the score per module (build/mutation/report.md).

    python -m tools.mutation                      every target of [tool.mutmut] only_mutate
    python -m tools.mutation services/risk/domain/rules.py ...   only these
    python -m tools.mutation --report             report the last run again, without running

mutmut keeps its mutants and results in mutants/ and reruns only what changed. Exit status 1 when a
module kills fewer than 90 % of its scored mutants, or survivors.toml explains a survivor that no longer is.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from tools.mutation.score import ModuleScore, report, score_module

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
OUT = ROOT / "build" / "mutation"
SURVIVORS = Path(__file__).with_name("survivors.toml")


def targets() -> list[str]:
    modules: list[str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]["only_mutate"]
    return modules


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def run_mutmut(paths: list[str]) -> None:
    """Run mutmut; its progress spinner goes to build/mutation/mutmut.log, not to the terminal."""
    OUT.mkdir(parents=True, exist_ok=True)
    names = [f"{module_name(path)}.*" for path in paths] if paths != targets() else []
    log = OUT / "mutmut.log"
    with log.open("w") as output:
        done = subprocess.run(
            [str(Path(sys.executable).with_name("mutmut")), "run", *names],
            cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, check=False,
        )  # fmt: skip
    if done.returncode:
        print(log.read_text()[-4000:])
        raise SystemExit(f"mutmut failed ({done.returncode}); its output is in {log}")


def score(path: str, explained: dict[str, object]) -> ModuleScore:
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # reads [tool.mutmut] of the working directory

    meta = MUTANTS / f"{path}.meta"
    if not meta.exists():
        raise SystemExit(f"no mutmut results for {path}: run `make mutation`")
    results = json.loads(meta.read_text())["exit_code_by_key"]
    return score_module(path, results, explained, lambda name: get_diff_for_mutant(name, path=path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="target modules (paths); all of them when none")
    parser.add_argument("--report", action="store_true", help="report the last run without running mutmut")
    args = parser.parse_args(argv)
    known = targets()
    paths = args.modules or known
    unknown = sorted(set(paths) - set(known))
    if unknown:
        parser.error(f"not a target of [tool.mutmut] only_mutate: {', '.join(unknown)}")
    explained = tomllib.loads(SURVIVORS.read_text())
    missing = sorted(set(known) - set(explained))
    if missing:
        parser.error(f"tools/mutation/survivors.toml has no table for {', '.join(missing)}")

    os.chdir(ROOT)
    if not args.report:
        run_mutmut(paths)
    modules = [score(path, explained[path]) for path in paths]
    OUT.mkdir(parents=True, exist_ok=True)
    text = report(modules)
    (OUT / "report.md").write_text(text)
    print("\n".join(line for line in text.splitlines() if line.startswith("|")))
    print(f"report: {(OUT / 'report.md').relative_to(ROOT)}")
    failed = [module.path for module in modules if not module.passed]
    if failed:
        print(f"below target or with stale explanations: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
