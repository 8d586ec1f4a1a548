"""Build the services' image for the working tree, or reuse the one already built for it.

The build context is staged from exactly the files git sees (tracked and untracked, not ignored), and the image
carries a label with the hash of those files, the base image and the code version: the tests and `make image`
find the image of this tree by that label and build only when none has it. The build needs no network once the
base exists: uv installs uv.lock's wheels from the host's uv cache (make setup filled it) and Spark's jars come
from the jar cache (make spark-jars).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from services.runtime.config import ROOT
from tools.image import base

NAME = "localhost/fintech-mesh"
TAG = f"{NAME}:dev"
LABEL = "org.fintech-mesh.inputs"
CONTAINERFILE = ROOT / "k8s" / "image" / "Containerfile"
RECORD = ROOT / "build" / "image" / "image.json"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
JARS = CACHE / "fintech-mesh" / "jars"
UV_CACHE = Path(os.environ.get("UV_CACHE_DIR") or CACHE / "uv")
UV = ROOT / ".venv" / "bin" / "uv"


@dataclass(frozen=True)
class Built:
    """What `make image` records in build/image/image.json."""

    id: str
    digest: str
    inputs: str
    base: str
    size_bytes: int
    seconds: float  # 0 when the image of this tree already existed


def files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    # The overlays pin the image's digest (pin.py): they are not part of the image.
    return sorted(
        path for path in listed.split("\0") if path and not path.startswith("k8s/overlays/") and (ROOT / path).is_file()
    )


def code_version() -> str:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    return head.stdout.strip() or "unknown"


def inputs_hash(paths: list[str], base_id: str, version: str) -> str:
    digest = hashlib.sha256(f"{base_id}\n{version}\n".encode())
    for path in paths:
        file = ROOT / path
        digest.update(f"{path}\0{os.access(file, os.X_OK):d}\0".encode())
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def base_image(choice: str) -> str:
    """`debootstrap` (the default: made here), `python` (the public Python image) or any image reference."""
    if choice == "debootstrap":
        return base.ensure()
    return base.PUBLIC if choice == "python" else choice


def inspect(image: str, template: str) -> str:
    out = subprocess.run(
        ["podman", "image", "inspect", "--format", template, image], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def find(inputs: str) -> str | None:
    """The id of an image built from these inputs, if podman's storage holds one."""
    out = subprocess.run(
        ["podman", "images", "--noheading", "--filter", f"label={LABEL}={inputs}", "--format", "{{.ID}}"],
        check=True,
        capture_output=True,
        text=True,
    )
    ids = out.stdout.split()
    return ids[0] if ids else None


def build(choice: str = "debootstrap") -> Built:
    for tool in ("podman", "git"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: `make image-tools` installs podman and buildah")
    if not UV.exists():
        raise SystemExit(f"{UV} is missing: run `make setup`")
    if not JARS.is_dir():
        raise SystemExit(f"{JARS} is missing: run `make spark-jars`")
    base_ref = base_image(choice)
    base_id = inspect(base_ref, "{{.Id}}") if base.exists(base_ref) else base_ref
    paths = files()
    version = code_version()
    inputs = inputs_hash(paths, base_id, version)
    started = time.monotonic()
    image = find(inputs)
    if image is None:
        with tempfile.TemporaryDirectory(prefix="fintech-mesh-context-") as context:
            for path in paths:
                (Path(context) / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / path, Path(context) / path)
            subprocess.run(
                [
                    "podman",
                    "build",
                    "--isolation=chroot",
                    "--file",
                    str(CONTAINERFILE),
                    "--tag",
                    TAG,
                    "--build-arg",
                    f"BASE={base_ref}",
                    "--build-arg",
                    f"CODE_VERSION={version}",
                    "--build-context",
                    f"uv={UV.parent}",
                    "--build-context",
                    f"jars={JARS}",
                    "--volume",
                    f"{UV_CACHE}:/root/.cache/uv",
                    "--label",
                    f"{LABEL}={inputs}",
                    *(["--build-arg", "UV_OFFLINE=1"] if choice == "debootstrap" else []),
                    context,
                ],  # fmt: skip
                check=True,
            )
        image = find(inputs)
        if image is None:
            raise SystemExit(f"podman built no image labelled {LABEL}={inputs}")
        seconds = round(time.monotonic() - started, 1)
    else:
        subprocess.run(["podman", "tag", image, TAG], check=True)
        seconds = 0.0
    built = Built(
        id=inspect(image, "{{.Id}}"),
        digest=inspect(image, "{{.Digest}}"),
        inputs=inputs,
        base=base_ref,
        size_bytes=int(inspect(image, "{{.Size}}")),
        seconds=seconds,
    )
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    RECORD.write_text(json.dumps(asdict(built), indent=2) + "\n")
    return built
