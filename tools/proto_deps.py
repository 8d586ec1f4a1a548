"""Copy the third-party .proto files the contracts import into one include root.

googleapis-common-protos ships google/api and google/type next to its Python
modules; protoc-gen-validate 0.10.1 installs validate.proto as a data file at
<prefix>/data/validate.proto. protoc and buf both want them under an include
root with their import paths, so they are copied into build/proto-deps.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import google.api

# Only what the contracts import (directly or transitively), so buf does not
# compile the whole of googleapis.
GOOGLEAPIS_FILES = [
    "google/api/annotations.proto",
    "google/api/field_behavior.proto",
    "google/api/http.proto",
    "google/api/visibility.proto",
    "google/type/date.proto",
]


def copy_deps(dest: Path) -> None:
    googleapis_root = Path(google.api.__path__[0]).parent.parent
    sources = {name: googleapis_root / name for name in GOOGLEAPIS_FILES}
    sources["validate/validate.proto"] = Path(sys.prefix) / "data" / "validate.proto"
    for name, src in sources.items():
        if not src.is_file():
            raise SystemExit(f"missing {src}: run `make setup`")
        target = dest / name
        # Rewrite only what changed: buf may be reading the tree concurrently.
        if not target.is_file() or target.read_bytes() != src.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)


if __name__ == "__main__":
    copy_deps(Path(sys.argv[1] if len(sys.argv) > 1 else "build/proto-deps"))
