"""`python -m tools.image base|build|pin`: the services' image (make image, make image-base, make image-pin)."""

from __future__ import annotations

import argparse
import sys

from tools.image import base


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.image", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("base", help="make the debootstrap base image unless podman already holds it")
    building = commands.add_parser("build", help="build the image of the working tree unless it exists")
    building.add_argument("--base", default="debootstrap", help="debootstrap (default), python, or an image")
    pinning = commands.add_parser("pin", help="push the image of this tree and pin its digest in the overlays")
    pinning.add_argument("--registry", help="push there (e.g. ghcr.io/bank); default: an OCI layout in build/image")
    pinning.add_argument("--overlay", action="append", help="the overlays to pin (default: all)")
    args = parser.parse_args(argv)
    if args.command == "base":
        print(base.ensure())
        return 0
    # Imported here: `base` runs on every make setup and needs neither the settings nor the manifests.
    from tools.image import build, pin

    if args.command == "pin":
        digest, name = pin.push(args.registry)
        overlays = args.overlay or [path.parent.name for path in pin.kustomizations()]
        pin.write(digest, name, overlays)
        print(f"pinned {name or pin.IMAGE}@{digest} in {', '.join(overlays)}")
        return 0
    built = build.build(args.base)
    how = f"built in {built.seconds} s" if built.seconds else "already built for this tree"
    print(f"{build.TAG} {built.id[:12]} {built.size_bytes / 1e6:.0f} MB, {how} (record: build/image/image.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
