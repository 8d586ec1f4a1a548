"""The services' image of this working tree (built once per tree, reused after: tools/image/build.py) and a
buildah working container of it to run commands in (`podman run` is not permitted in this sandbox; buildah
with chroot isolation is)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tools.image import build


@dataclass(frozen=True)
class Container:
    name: str

    def run(
        self, *command: str, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run a command in the image as its USER, with `env` on top of the image's environment."""
        assignments = [f"{key}={value}" for key, value in (env or {}).items()]
        argv = ["buildah", "run", "--isolation", "chroot", self.name, "--", "env", *assignments, *command]
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def image() -> build.Built:
    return build.build()


@pytest.fixture(scope="session")
def container(image: build.Built) -> Iterator[Container]:
    name = subprocess.run(
        ["buildah", "from", "--pull-never", image.id], capture_output=True, text=True, check=True
    ).stdout.strip()
    yield Container(name)
    subprocess.run(["buildah", "rm", name], capture_output=True, check=False)
