"""Clients generated from gen/openapi/openapi.yaml with openapi-generator, as a client team would.

    python -m tools.openapi.clients python build/clients/python
    python -m tools.openapi.clients typescript-fetch build/clients/ts

The generator is the CLI jar `make setup` copies from Maven Central (tools/openapi/pom.xml); TypeScript's
compiler comes from npm (tools/openapi/package-lock.json). Both live under .tools/openapi/.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "gen" / "openapi" / "openapi.yaml"
TOOLS = ROOT / ".tools" / "openapi"
GENERATOR_JAR = TOOLS / "openapi-generator-cli.jar"
TSC = TOOLS / "node_modules" / ".bin" / "tsc"
PYTHON_PACKAGE = "fintech_openapi_client"
# Query parameters of type date-time: the python generator's default (`%Y-%m-%dT%H:%M:%S.%f%z`) writes
# `+0000`, which is not RFC 3339 and the edge refuses; UTC with `Z` is (pass timezone-aware UTC datetimes).
PYTHON_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# Only the code: no docs, no generated test stubs.
_CODE_ONLY = "apiTests=false,modelTests=false,apiDocs=false,modelDocs=false"


def generate(generator: str, out: Path, document: Path = DOCUMENT, **properties: str) -> Path:
    """Run openapi-generator's `generator` (python, typescript-fetch, ...) into `out`; fails on any error."""
    if not GENERATOR_JAR.exists():
        raise FileNotFoundError(f"{GENERATOR_JAR} is missing: run `make setup`")
    java = shutil.which("java")
    if java is None:
        raise FileNotFoundError("java is not on PATH (openapi-generator needs Java 11 or newer)")
    command = [java, "-jar", str(GENERATOR_JAR), "generate", "-g", generator, "-i", str(document), "-o", str(out)]
    command += [f"--global-property={_CODE_ONLY}"]
    if generator == "python":
        properties = {"packageName": PYTHON_PACKAGE, "datetimeFormat": PYTHON_DATETIME_FORMAT, **properties}
    if properties:
        command += ["--additional-properties=" + ",".join(f"{key}={value}" for key, value in properties.items())]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"openapi-generator {generator} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return out


def compile_typescript(out: Path) -> subprocess.CompletedProcess[str]:
    """`tsc --noEmit` over a typescript-fetch client, strict; the result says whether it compiled cleanly."""
    if not TSC.exists():
        raise FileNotFoundError(f"{TSC} is missing: run `make setup`")
    sources = sorted(str(path) for path in out.rglob("*.ts") if "node_modules" not in path.parts)
    options = ["--noEmit", "--strict", "--target", "ES2020", "--module", "ES2020", "--moduleResolution", "node"]
    options += ["--lib", "ES2020,DOM", "--skipLibCheck"]
    return subprocess.run([str(TSC), *options, *sources], capture_output=True, text=True, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("generator", help="an openapi-generator generator name: python, typescript-fetch, ...")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    print(generate(args.generator, args.out))
    if args.generator.startswith("typescript"):
        result = compile_typescript(args.out)
        print(result.stdout + result.stderr or "tsc: no errors")


if __name__ == "__main__":
    main()
