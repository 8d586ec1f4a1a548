"""rsyslog: ships every program's log (var/log/*.log, written by supervisord) to VictoriaLogs.

Our own rsyslogd (Debian's rsyslog + rsyslog-elasticsearch), in the foreground under the mesh's supervisor, with
its configuration, pid file and work directory (imfile's read positions) under var/rsyslog; never the system
one. imfile follows the files by inotify (rotation included), mmjsonparse parses the JSON lines (the services'
structlog lines, Envoy's access log), omelasticsearch posts batches to VictoriaLogs' Elasticsearch `_bulk`
endpoint. Each document gets `_msg` (a JSON line's `event` or `msg`, else the whole line), `_time` (the line's
`timestamp` or `time`, else when rsyslog read it) and `program` (the file's name), VictoriaLogs' stream field.
Lines that are not JSON (Kafka's, PostgreSQL's, a library's warning on stderr) go as they are. The services
only write to stdout: nothing in services/ knows the log store exists.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from tools.mesh.component import Component, MeshError, Program

# Where Debian puts it; /usr/sbin is not on every user's PATH.
DEBIAN_BINARY = Path("/usr/sbin/rsyslogd")
# Its own log (var/log/rsyslog.log) is not shipped: an error about shipping would be shipped, fail, and so on.
OWN_PROGRAM = "rsyslog"
# What VictoriaLogs parses as a time (POSIX ERE, for rsyslog's re_match).
RFC3339 = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"


def _binary() -> str:
    path = shutil.which("rsyslogd") or (str(DEBIAN_BINARY) if DEBIAN_BINARY.exists() else None)
    if path is None:
        raise MeshError("rsyslogd is not installed: run `make setup` (Debian packages rsyslog, rsyslog-elasticsearch)")
    return path


def _quoted(value: str) -> str:
    """A RainerScript string: backslashes and double quotes escaped, `$` too (it would start a variable)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def bulk_url(base_url: str) -> str:
    """The `server` omelasticsearch posts to: VictoriaLogs' `_bulk` with its stream field.

    This omelasticsearch sends no custom header and adds no query argument of ours: it appends "/_bulk" to the
    server URL. So the URL carries `_stream_fields` itself and ends with a parameter that swallows the suffix.
    """
    return f"{base_url}/insert/elasticsearch/_bulk?_stream_fields=program&rsyslog_suffix="


def config_text(log_dir: Path, work_dir: Path, store_url: str) -> str:
    """rsyslog.conf for our instance: tail log_dir/*.log, ship to the store at store_url."""
    files = _quoted(str(log_dir / "*.log"))
    return f"""# Written by tools/mesh/rsyslog.py from mesh.toml; changes here are overwritten.
# Internal messages (a refused batch, a store that is down) go to stderr, var/log/{OWN_PROGRAM}.log, never to the
# system's syslog socket. Lines up to 64 KiB (a stack of frames) are shipped whole.
global(workDirectory={_quoted(str(work_dir))} processInternalMessages="on" maxMessageSize="64k")
module(load="imfile" mode="inotify")
module(load="mmjsonparse")
module(load="omelasticsearch")

template(name="fintech_now" type="string" string="%timegenerated:::date-rfc3339%")
template(name="fintech_document" type="list") {{ property(name="$!all-json") }}

# Every file from its start (those the launcher's programs opened before rsyslog ran too), then where rsyslog
# left it: read positions survive restarts in the work directory, so nothing is shipped twice.
input(type="imfile" file={files} tag="mesh" addMetadata="on" freshStartTail="off" ruleset="ship")

ruleset(name="ship") {{
  set $.program = re_extract($!metadata!filename, '([^/]+)[.]log$', 0, 1, "unknown");
  if $.program == "{OWN_PROGRAM}" then stop
  unset $!metadata;
  action(type="mmjsonparse" cookie="")
  if $parsesuccess == "OK" then {{
    if $!event != "" then {{ set $!_msg = $!event; unset $!event; }}
    else if $!msg != "" then {{ set $!_msg = $!msg; unset $!msg; }}
    # Only an RFC 3339 time becomes _time: the store refuses a whole bulk request over one it cannot parse (the
    # standard library's "2026-12-07 00:23:40,367"), and rsyslog would retry that request for ever.
    if re_match($!timestamp, '{RFC3339}') then {{ set $!_time = $!timestamp; unset $!timestamp; }}
    else if re_match($!time, '{RFC3339}') then {{ set $!_time = $!time; unset $!time; }}
  }} else {{
    # mmjsonparse put the unparsed line in $!msg: ship it once, as the message.
    unset $!msg;
    set $!_msg = $msg;
  }}
  if $!_msg == "" then {{ set $!_msg = $msg; }}
  if $!_time == "" then {{ set $!_time = exec_template("fintech_now"); }}
  set $!program = $.program;
  # esVersion.major 8: no `_type` in the bulk metadata (VictoriaLogs, like Elasticsearch 8, refuses it).
  # While the store is down the batches wait in memory and are retried every few seconds. A bulk request waits
  # up to a second for 500 lines: one request per line or two cost the store most of its CPU under load.
  action(type="omelasticsearch" server={_quoted(bulk_url(store_url))} template="fintech_document"
         searchIndex="fintech" bulkmode="on" esVersion.major="8"
         queue.type="LinkedList" queue.size="20000" queue.dequeueBatchSize="500"
         queue.minDequeueBatchSize="500" queue.minDequeueBatchSize.timeout="1000"
         action.resumeRetryCount="-1" action.resumeInterval="5")
}}
"""


class Rsyslog(Component):
    name = "rsyslog"
    depends = ("victorialogs",)
    start_timeout = 20.0
    # Read positions are on disk: a restart loses and repeats nothing, so a changed configuration restarts it.
    restart_when_stale = True

    @property
    def config_path(self) -> Path:
        return self.state_dir / "rsyslog.conf"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "rsyslogd.pid"

    @property
    def work_dir(self) -> Path:
        return self.state_dir / "work"

    def program(self) -> Program:
        return Program(
            # -n: in the foreground, for supervisord; -i: our pid file, so it never meets the system's instance.
            command=[_binary(), "-n", "-f", str(self.config_path), "-i", str(self.pid_file)],
            stopwaitsecs=15,
            # supervisord stops higher priorities first: after the services and infrastructure, before the store.
            priority=8,
            inputs=(self.config_path,),
        )

    def prepare(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        log_dir = self.settings.state_dir / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        text = config_text(log_dir, self.work_dir, self.settings.victorialogs.url)
        if not self.config_path.exists() or self.config_path.read_text() != text:
            self.config_path.write_text(text)

    async def ready(self) -> bool:
        return await asyncio.to_thread(self._running)

    def _running(self) -> bool:
        """rsyslogd writes its pid file once its configuration is loaded; that process lives and is ours (a pid
        left by a killed instance may since name another process)."""
        try:
            pid = int(self.pid_file.read_text().strip())
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            return False
        return str(self.config_path).encode() in command
