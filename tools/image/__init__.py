"""The services' image (k8s/image/Containerfile), built with podman: `python -m tools.image` (make image).

base.py makes the Debian bookworm base with debootstrap (once per package list), build.py builds the image for
the working tree (reused while the tree is unchanged) and pin.py writes its digest into the overlays.
"""
