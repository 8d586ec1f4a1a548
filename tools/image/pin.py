"""Pin the services' image by digest in the overlays (kustomize `images:`), the way a release does it.

`python -m tools.image pin` pushes the image of this tree (make image) and writes the digest the push reports
into each overlay's `images:` entry for `fintech-mesh`: to `--registry` when given (and `newName` becomes
`<registry>/fintech-mesh`), else to an OCI layout under build/image/oci, which `skopeo copy --preserve-digests`
publishes to any registry under the same digest. The pushed manifest (compressed layers) is what a cluster
pulls, so that digest, not podman's local one, is the one to pin. The overlays are not part of the image's
inputs (build.py), so pinning does not change the image it names.

`problems()` is the check (python -m tools.k8s --check, make lint): every overlay names the image by digest only.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import yaml

from services.runtime.config import ROOT
from tools.image import build
from tools.k8s.manifests import IMAGE

__all__ = ["IMAGE", "kustomizations", "problems", "push", "write"]

OVERLAYS = ROOT / "k8s" / "overlays"
OCI_LAYOUT = ROOT / "build" / "image" / "oci"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
# The `fintech-mesh` entry of `images:` up to the next entry or key: rewritten in place, comments kept.
ENTRY = re.compile(rf"(?m)^  - name: {IMAGE}\n(?:    .*\n)*")


def kustomizations() -> list[Path]:
    return sorted(OVERLAYS.glob("*/kustomization.yaml"))


def problems() -> list[str]:
    """What keeps an overlay from pinning the image by digest."""
    found = []
    for path in kustomizations():
        name = path.parent.name
        entries = [e for e in yaml.safe_load(path.read_text()).get("images", []) if e.get("name") == IMAGE]
        if len(entries) != 1:
            found.append(f"overlay {name}: one `images:` entry for {IMAGE} expected, found {len(entries)}")
            continue
        (entry,) = entries
        if not DIGEST.fullmatch(str(entry.get("digest", ""))):
            found.append(f"overlay {name}: {IMAGE} must be pinned by `digest: sha256:<64 hex>`")
        if "newTag" in entry:
            found.append(f"overlay {name}: {IMAGE} has a newTag: a tag moves, pin the digest alone")
    return found


def push(registry: str | None) -> tuple[str, str | None]:
    """Push the image of this tree; (the pushed manifest's digest, its name in the registry or None)."""
    built = build.build()
    tag = built.inputs[:12]
    if registry:
        name: str | None = f"{registry.rstrip('/')}/{IMAGE}"
        destination = f"docker://{name}:{tag}"
    else:
        name = None
        OCI_LAYOUT.parent.mkdir(parents=True, exist_ok=True)
        destination = f"oci:{OCI_LAYOUT}:{tag}"
    with tempfile.NamedTemporaryFile("r") as digest_file:
        subprocess.run(
            ["podman", "push", "--quiet", "--digestfile", digest_file.name, built.id, destination], check=True
        )
        digest = Path(digest_file.name).read_text().strip()
    if not DIGEST.fullmatch(digest):
        raise SystemExit(f"podman push reported no digest ({digest!r})")
    return digest, name


def entry(digest: str, name: str | None) -> str:
    return f"  - name: {IMAGE}\n" + (f"    newName: {name}\n" if name else "") + f"    digest: {digest}\n"


def write(digest: str, name: str | None, overlays: list[str]) -> None:
    for overlay in overlays:
        path = OVERLAYS / overlay / "kustomization.yaml"
        text = path.read_text()
        if not ENTRY.search(text):
            raise SystemExit(f"{path.relative_to(ROOT)} has no `images:` entry for {IMAGE}")
        path.write_text(ENTRY.sub(lambda _: entry(digest, name), text, count=1))
