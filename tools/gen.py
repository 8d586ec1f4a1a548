"""Generate everything in gen/ from the contracts in proto/.

    python -m tools.gen            # regenerate gen/
    python -m tools.gen --check    # fail (exit 1) when gen/ is stale

Outputs:
  gen/python/fintech/...      protobuf messages (.py + .pyi) and grpcio stubs (.py + .pyi)
  gen/python/validate/...     the protoc-gen-validate rule messages the contracts use
  gen/python/fintech_sdk/...  typed client SDK (betterproto2 dataclasses, sync clients on grpcio)
  gen/descriptors/fintech.binpb  one FileDescriptorSet with imports and source info (Envoy, tests)
  gen/openapi/openapi.yaml    OpenAPI 3 document of the REST edge: gnostic's from the google.api.http rules,
                              completed by tools/openapi/document.py (proto3 JSON wire types, security,
                              servers from mesh.toml, the error shape and each operation's error statuses)
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import grpc_tools
import yaml

from tools.openapi import document as openapi_document
from tools.proto_deps import copy_deps

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OPENAPI_PLUGIN = ROOT / ".tools" / "bin" / "protoc-gen-openapi"
DEPS = ROOT / "build" / "proto-deps"
WELL_KNOWN = Path(grpc_tools.__file__).parent / "_proto"


def _protoc(proto_root: Path, deps: Path, files: list[str], *args: str) -> None:
    cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_root}", f"-I{deps}", f"-I{WELL_KNOWN}"]
    # Plugins find their helpers (betterproto2 formats with ruff) on PATH.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([*cmd, *args, *files], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"protoc failed: {' '.join(args)}")


def _contracts(proto_root: Path) -> list[str]:
    return sorted(str(p.relative_to(proto_root)) for p in proto_root.rglob("*.proto"))


def build_descriptor_set(proto_root: Path, out_file: Path) -> None:
    """One FileDescriptorSet of all contracts with their imports and comments (a buf image, too)."""
    copy_deps(DEPS)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    _protoc(
        proto_root,
        DEPS,
        _contracts(proto_root),
        "--include_imports",
        "--include_source_info",
        f"--descriptor_set_out={out_file}",
    )


def generate(proto_root: Path, out: Path) -> None:
    deps = DEPS
    copy_deps(deps)
    contracts = _contracts(proto_root)
    python, sdk = out / "python", out / "python" / "fintech_sdk"
    for d in (python, sdk, out / "descriptors", out / "openapi"):
        d.mkdir(parents=True, exist_ok=True)

    _protoc(
        proto_root,
        deps,
        contracts,
        f"--plugin=protoc-gen-mypy_grpc={BIN / 'protoc-gen-mypy_grpc'}",
        "--mypy_grpc_opt=quiet",
        f"--python_out={python}",
        f"--pyi_out={python}",
        f"--grpc_python_out={python}",
        f"--mypy_grpc_out={python}",
    )
    _protoc(proto_root, deps, ["validate/validate.proto"], f"--python_out={python}", f"--pyi_out={python}")
    build_descriptor_set(proto_root, out / "descriptors" / "fintech.binpb")
    _protoc(
        proto_root,
        deps,
        contracts,
        f"--plugin=protoc-gen-python_betterproto2={BIN / 'protoc-gen-python_betterproto2'}",
        "--python_betterproto2_opt=client_generation=sync",
        f"--python_betterproto2_out={sdk}",
    )
    _protoc(
        proto_root,
        deps,
        contracts,
        f"--plugin=protoc-gen-openapi={OPENAPI_PLUGIN}",
        "--openapi_opt=naming=proto,enum_type=string,default_response=true,fq_schema_naming=true",
        "--openapi_opt=title=FinTech mesh REST API,version=v1",
        # The contracts stay language-neutral (no go_package); the plugin only needs a name per file.
        *(f"--openapi_opt=M{f}=fintech/{Path(f).parent}" for f in contracts),
        f"--openapi_out={out / 'openapi'}",
    )
    complete_openapi(out / "openapi" / "openapi.yaml", out / "descriptors" / "fintech.binpb")
    # Packages for the generated trees, so tools and type checkers see regular packages.
    for pkg in [python / "validate", *[p for p in (python / "fintech").rglob("*") if p.is_dir()]]:
        (pkg / "__init__.py").touch()
    (python / "fintech" / "__init__.py").touch()


def complete_openapi(path: Path, descriptor_set: Path) -> None:
    """gnostic's document, completed so that it describes the edge's wire (tools/openapi/document.py)."""
    document = yaml.safe_load(path.read_text())
    completed = openapi_document.complete(document, descriptor_set, ROOT / "mesh.toml", ROOT / "services")
    path.write_text(openapi_document.render(completed))


def _tree(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def stale_files(expected: Path, actual: Path) -> list[str]:
    """Paths under gen/ that differ from a fresh generation (missing, extra or changed)."""
    want, have = _tree(expected), _tree(actual)
    problems = [f"missing: {p}" for p in sorted(want - have)]
    problems += [f"not generated: {p}" for p in sorted(have - want)]
    problems += [
        f"changed: {p}" for p in sorted(want & have) if not filecmp.cmp(expected / p, actual / p, shallow=False)
    ]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with gen/ instead of writing it")
    parser.add_argument("--proto", type=Path, default=ROOT / "proto", help="contracts root")
    parser.add_argument("--gen", type=Path, default=ROOT / "gen", help="generated tree to write or check")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "gen"
        generate(args.proto.resolve(), fresh)
        if args.check:
            problems = stale_files(fresh, args.gen)
            for line in problems:
                print(f"stale generated code, {line}", file=sys.stderr)
            if problems:
                print("run `make gen` and commit gen/", file=sys.stderr)
            return 1 if problems else 0
        if args.gen.exists():
            shutil.rmtree(args.gen)
        shutil.copytree(fresh, args.gen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
