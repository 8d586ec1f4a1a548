"""Fail when the contracts in proto/ break wire or JSON compatibility with a base revision.

    python -m tools.breaking [BASE]     # BASE: a git revision, default `main`

The base is the descriptor set committed at BASE (gen/descriptors/fintech.binpb), so the
check needs neither the Buf Schema Registry nor a checkout of BASE. Rules come from
buf.yaml (WIRE_JSON); a breaking change needs a new version package instead.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tools.gen import BIN, ROOT, build_descriptor_set

DESCRIPTOR_SET = "gen/descriptors/fintech.binpb"


def breaking_changes(proto_root: Path, base_image: Path) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as tmp:
        current = Path(tmp) / "current.binpb"
        build_descriptor_set(proto_root, current)
        return subprocess.run(
            [str(BIN / "buf"), "breaking", str(current), "--against", str(base_image), "--exclude-imports"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )


def main() -> int:
    base = sys.argv[1] if len(sys.argv) > 1 else "main"
    shown = subprocess.run(["git", "show", f"{base}:{DESCRIPTOR_SET}"], cwd=ROOT, capture_output=True)
    if shown.returncode != 0:
        print(f"no {DESCRIPTOR_SET} at {base}: nothing to compare against")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        base_image = Path(tmp) / "base.binpb"
        base_image.write_bytes(shown.stdout)
        result = breaking_changes(ROOT / "proto", base_image)
    sys.stdout.write(result.stdout + result.stderr)
    print("no breaking changes" if result.returncode == 0 else f"breaking changes against {base}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
