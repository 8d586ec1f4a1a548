"""The shipper's generated configuration: rsyslogd itself validates it (the mesh test in tests/logs runs it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tools.mesh.rsyslog import _binary, bulk_url, config_text


def test_rsyslogd_accepts_the_generated_configuration(tmp_path: Path):
    config = tmp_path / "rsyslog.conf"
    (tmp_path / "work").mkdir()  # as Rsyslog.prepare() makes it
    config.write_text(config_text(tmp_path / "log", tmp_path / "work", "http://127.0.0.1:29428"))
    checked = subprocess.run([_binary(), "-N1", "-f", str(config)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    assert "error" not in checked.stderr.lower(), checked.stderr


def test_the_bulk_url_names_the_stream_field_and_swallows_the_suffix_omelasticsearch_adds():
    url = bulk_url("http://127.0.0.1:19428") + "/_bulk"  # what omelasticsearch posts to
    assert url == "http://127.0.0.1:19428/insert/elasticsearch/_bulk?_stream_fields=program&rsyslog_suffix=/_bulk"
