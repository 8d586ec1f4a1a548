"""The overlays pin the services' image by digest (tools/image/pin.py writes it, python -m tools.k8s --check
checks it): every pod and Spark job of both rendered overlays names `fintech-mesh@sha256:...`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tools.image import pin
from tools.k8s.manifests import IMAGE

PINNED = re.compile(rf"{IMAGE}@sha256:[0-9a-f]{{64}}")


def images(resources: list[dict[str, Any]]) -> list[str]:
    found = []
    for doc in resources:
        if doc["kind"] == "SparkApplication":
            found.append(doc["spec"]["image"])
        spec = doc.get("spec", {}).get("template", {}).get("spec", {})
        found += [c["image"] for c in [*spec.get("initContainers", []), *spec.get("containers", [])]]
    return found


def test_rendered_overlays_name_the_image_by_digest(rendered: dict[str, list[dict[str, Any]]]) -> None:
    for overlay, resources in rendered.items():
        ours = [image for image in images(resources) if image.split("@")[0].split(":")[0].endswith(IMAGE)]
        assert len(ours) >= 10, overlay
        assert [image for image in ours if not PINNED.fullmatch(image)] == [], overlay


def test_committed_overlays_pass_the_check() -> None:
    assert pin.problems() == []


@pytest.fixture
def overlays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(pin.OVERLAYS, tmp_path / "overlays")
    monkeypatch.setattr(pin, "OVERLAYS", tmp_path / "overlays")
    return tmp_path / "overlays"


def test_check_refuses_a_tag(overlays: Path) -> None:
    path = overlays / "dev" / "kustomization.yaml"
    path.write_text(re.sub(r"    digest: .*\n", "    newTag: dev\n", path.read_text()))
    assert pin.problems() == [
        f"overlay dev: {IMAGE} must be pinned by `digest: sha256:<64 hex>`",
        f"overlay dev: {IMAGE} has a newTag: a tag moves, pin the digest alone",
    ]
    path.write_text(path.read_text().replace("    newTag: dev\n", f"    newTag: dev\n    digest: sha256:{'a' * 64}\n"))
    assert pin.problems() == [f"overlay dev: {IMAGE} has a newTag: a tag moves, pin the digest alone"]


def test_write_pins_a_registry_name_and_keeps_the_rest(overlays: Path) -> None:
    before = (overlays / "prod" / "kustomization.yaml").read_text()
    digest = f"sha256:{'b' * 64}"
    pin.write(digest, "ghcr.io/bank/fintech-mesh", ["prod"])
    after = (overlays / "prod" / "kustomization.yaml").read_text()
    assert f"  - name: {IMAGE}\n    newName: ghcr.io/bank/fintech-mesh\n    digest: {digest}\n" in after
    assert re.sub(r"  - name: fintech-mesh\n(    .*\n)*", "", after) == re.sub(
        r"  - name: fintech-mesh\n(    .*\n)*", "", before
    )
    assert pin.problems() == []
