"""The page loads ECharts from the console itself, pinned by its integrity hash: the hash matches the vendored file."""

from __future__ import annotations

import base64
import hashlib
import re

from services.console.entrypoints.web import STATIC


def test_the_pages_integrity_hash_is_the_vendored_echarts():
    page = (STATIC / "index.html").read_text()
    scripts = re.findall(r'<script src="static/vendor/echarts\.min\.js" integrity="sha384-([^"]+)"', page)
    digest = base64.b64encode(hashlib.sha384((STATIC / "vendor" / "echarts.min.js").read_bytes()).digest()).decode()
    assert scripts == [digest]
    assert digest in (STATIC / "vendor" / "README.md").read_text()
    assert "Apache License" in (STATIC / "vendor" / "ECHARTS-LICENSE").read_text()


def test_nothing_is_loaded_from_another_origin():
    for path in STATIC.glob("*.*"):
        text = path.read_text()
        assert not re.search(r'(src|href)="(https?:)?//', text), path.name
        assert "cdn" not in text.lower(), path.name
