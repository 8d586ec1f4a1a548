"""The base image on machines without a registry: a Debian bookworm rootfs made with debootstrap, imported into
podman's storage. Its tag holds a hash of the suite, mirror and package list, so it is made again (about 95 s
and the Debian mirror) only when one of them changes; podman's storage is the cache."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
# What the image needs from Debian: Python 3.11 (and its libpython, which Triton's Python backend stub loads),
# the CA bundle, and Java 17 for Spark. No compiler: every Python package comes as a wheel.
PACKAGES = ("python3", "libpython3.11", "ca-certificates", "openjdk-17-jre-headless")
REPOSITORY = "localhost/fintech-mesh-base"
# Public: a Python 3.11 image for machines with a registry; the Containerfile installs what it lacks from apt.
PUBLIC = "docker.io/library/python:3.11-slim-bookworm"


def key() -> str:
    text = "\n".join([SUITE, MIRROR, "minbase", *sorted(PACKAGES)])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def name() -> str:
    return f"{REPOSITORY}:{SUITE}-{key()}"


def exists(image: str) -> bool:
    return subprocess.run(["podman", "image", "exists", image], check=False).returncode == 0


def ensure() -> str:
    """The base image's name, made first when podman's storage lacks it (needs the Debian mirror)."""
    image = name()
    if exists(image):
        return image
    if shutil.which("debootstrap") is None:
        raise SystemExit("debootstrap is missing: `apt-get install debootstrap` (make image-tools)")
    with tempfile.TemporaryDirectory(prefix="fintech-mesh-rootfs-", dir="/var/tmp") as scratch:
        root = Path(scratch) / "root"
        made = subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, str(root), MIRROR],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        if made.returncode != 0:
            raise SystemExit(f"debootstrap failed: it needs {MIRROR} (make setup, outside a network namespace)")
        # The downloaded .debs and package lists are the build's, not the image's.
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for path in (root / cache).glob("*"):
                if path.is_file():
                    path.unlink()
        tar = subprocess.Popen(["tar", "-C", str(root), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(
            ["podman", "import", "--quiet", "-", image], stdin=tar.stdout, stdout=subprocess.DEVNULL, check=True
        )
        if tar.wait() != 0:
            raise SystemExit("tar of the debootstrap rootfs failed")
    return image
