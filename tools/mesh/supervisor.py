"""supervisord as the mesh's process manager: its configuration, its daemon and its XML-RPC API.

supervisord daemonizes itself (fork + setsid), so the mesh outlives the shell that ran `make up` and
no process gets the SIGHUP/SIGTERM a closing terminal sends its session.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shlex
import subprocess
import sys
import time
import xmlrpc.client
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from services.runtime.config import ROOT, Settings
from tools.mesh.component import MeshError, Program

RPC_TIMEOUT = 30.0  # stopProcess(wait=True) blocks up to the program's stopwaitsecs
DAEMON_START_TIMEOUT = 15.0
# Supervisor's fault codes (supervisor.xmlrpc.Faults).
BAD_NAME, NOT_RUNNING, ALREADY_STARTED = 10, 70, 60
# Set in a program's environment: the digest of the files it reads at start (Program.inputs).
INPUTS_DIGEST_VARIABLE = "MESH_INPUTS_SHA256"


class _Transport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        connection = super().make_connection(host)
        connection.timeout = self._timeout
        return connection


class Supervisor:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state_dir = settings.state_dir
        self.config_file = self.state_dir / "supervisord.conf"
        self.pid_file = self.state_dir / "run" / "supervisord.pid"
        self.log_dir = self.state_dir / "log"
        self.url = f"http://127.0.0.1:{settings.supervisor.port}/RPC2"
        # Tells our daemon from another mesh's one listening on the same port.
        self.identifier = f"fintech-mesh:{self.state_dir}"

    def log_file(self, program: str) -> Path:
        return self.log_dir / f"{program}.log"

    def rpc(self, timeout: float = RPC_TIMEOUT) -> Any:
        return xmlrpc.client.ServerProxy(self.url, transport=_Transport(timeout)).supervisor

    # -- configuration ------------------------------------------------------------------------------

    def write_config(self, programs: dict[str, Program]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        text = self._config_text(programs)
        if not self.config_file.exists() or self.config_file.read_text() != text:
            self.config_file.write_text(text)

    def _config_text(self, programs: dict[str, Program]) -> str:
        port = self.settings.supervisor.port
        sections = [
            "; Written by tools/mesh from mesh.toml; edits are overwritten.",
            "[supervisord]",
            f"logfile={_escape(str(self.log_file('supervisord')))}",
            f"pidfile={_escape(str(self.pid_file))}",
            f"childlogdir={_escape(str(self.log_dir))}",
            f"identifier={_escape(self.identifier)}",
            "logfile_maxbytes=10MB",
            "logfile_backups=1",
            "nodaemon=false",
            "",
            "[inet_http_server]",
            f"port=127.0.0.1:{port}",
            "",
            "[rpcinterface:supervisor]",
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
            "",
            "[supervisorctl]",
            f"serverurl=http://127.0.0.1:{port}",
            "",
        ]
        for name, program in programs.items():
            sections += self._program_section(name, program)
        return "\n".join(sections) + "\n"

    def _program_section(self, name: str, program: Program) -> list[str]:
        variables = dict(program.environment)
        if digest := program.inputs_digest():
            # supervisord compares programs by their settings: the digest makes a changed input a change.
            variables[INPUTS_DIGEST_VARIABLE] = digest
        environment = ",".join(f'{key}="{_escape(value)}"' for key, value in variables.items())
        lines = [
            f"[program:{name}]",
            f"command={_escape(shlex.join(program.command))}",
            f"directory={_escape(str(program.directory))}",
            # The launcher starts programs in dependency order; supervisord restarts them if they die.
            "autostart=false",
            "autorestart=true",
            "startsecs=1",
            "startretries=3",
            f"stopsignal={program.stopsignal}",
            f"stopwaitsecs={program.stopwaitsecs}",
            # Children too (Triton's backend stubs, PostgreSQL's backends): nothing outlives `make down`.
            "stopasgroup=true",
            "killasgroup=true",
            f"priority={program.priority}",
            "redirect_stderr=true",
            f"stdout_logfile={_escape(str(self.log_file(name)))}",
            "stdout_logfile_maxbytes=20MB",
            "stdout_logfile_backups=1",
        ]
        if environment:
            lines.append(f"environment={environment}")
        if program.user:
            lines.append(f"user={program.user}")
        return [*lines, ""]

    # -- the daemon ---------------------------------------------------------------------------------

    def running(self) -> bool:
        """Our supervisord answers on its port (a foreign one there is an error, not 'not running')."""
        try:
            identification = self.rpc(timeout=2.0).getIdentification()
        except (OSError, xmlrpc.client.Error):
            return False
        if identification != self.identifier:
            raise MeshError(
                f"port {self.settings.supervisor.port} is taken by another supervisord ({identification}); "
                "set FINTECH_SUPERVISOR__PORT or stop that mesh"
            )
        return True

    def ensure_running(self, restart: Iterable[str] = ()) -> list[str]:
        """Start the daemon, or make the running one load the new configuration.

        Running programs named in `restart` whose configuration changed are stopped and take the new
        one (the launcher starts them again in order). Returns the other programs that run with an
        older configuration (left alone until restarted).
        """
        if self.running():
            return self._sync(set(restart))
        command = [sys.executable, "-m", "supervisor.supervisord", "-c", str(self.config_file)]
        # No FINTECH_* variables: programs get their settings from the file the launcher wrote.
        environment = {key: value for key, value in os.environ.items() if not key.startswith("FINTECH_")}
        result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
        if result.returncode != 0:
            raise MeshError(f"supervisord did not start: {result.stderr.strip() or result.stdout.strip()}")
        deadline = time.monotonic() + DAEMON_START_TIMEOUT
        while not self.running():
            if time.monotonic() > deadline:
                log = self.log_file("supervisord")
                raise MeshError(f"supervisord did not answer on {self.url}; see {log}")
            time.sleep(0.1)
        return []

    def _sync(self, restart: set[str]) -> list[str]:
        """Apply a rewritten configuration to the running daemon; running programs are left alone
        unless named in `restart`."""
        rpc = self.rpc()
        [[added, changed, removed]] = rpc.reloadConfig()
        running = {info["name"] for info in rpc.getAllProcessInfo() if info["statename"] in _ACTIVE}
        stale = []
        for name in removed:
            with contextlib.suppress(xmlrpc.client.Fault):
                rpc.stopProcess(name, True)
            rpc.removeProcessGroup(name)
        for name in changed:
            if name in running and name not in restart:
                stale.append(name)
                continue
            if name in running:
                with contextlib.suppress(xmlrpc.client.Fault):  # it may have exited meanwhile
                    rpc.stopProcess(name, True)
            rpc.removeProcessGroup(name)
            rpc.addProcessGroup(name)
        for name in added:
            rpc.addProcessGroup(name)
        return stale

    def daemon_pid(self) -> int | None:
        with contextlib.suppress(FileNotFoundError, ValueError):
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 0)
            return pid
        return None

    def shutdown(self, timeout: float = 90.0) -> None:
        """Stop every program (reverse priority: edge, services, infrastructure) and the daemon."""
        pid = self.daemon_pid()
        if self.running():
            with contextlib.suppress(OSError, xmlrpc.client.Error):
                self.rpc().shutdown()
        elif pid:
            os.kill(pid, 15)  # ours (our pid file) but not answering: SIGTERM is supervisord's shutdown
        deadline = time.monotonic() + timeout
        while pid and _alive(pid):
            if time.monotonic() > deadline:
                raise MeshError(f"supervisord (pid {pid}) still running after {timeout:.0f} s")
            time.sleep(0.1)

    # -- programs -----------------------------------------------------------------------------------

    def processes(self) -> dict[str, dict[str, Any]]:
        if not self.running():
            return {}
        return {info["name"]: info for info in self.rpc().getAllProcessInfo()}

    def start(self, name: str) -> None:
        try:
            self.rpc().startProcess(name, False)
        except xmlrpc.client.Fault as fault:
            if fault.faultCode != ALREADY_STARTED:
                raise MeshError(f"supervisord cannot start {name}: {fault.faultString}") from fault

    def stop(self, name: str) -> None:
        try:
            self.rpc().stopProcess(name, True)
        except xmlrpc.client.Fault as fault:
            if fault.faultCode == BAD_NAME:
                raise MeshError(f"no program {name} in {self.config_file}") from fault
            if fault.faultCode != NOT_RUNNING:
                raise

    def tail(self, name: str, lines: int = 20) -> str:
        path = self.log_file(name)
        if not path.exists():
            return ""
        with path.open("rb") as file:
            file.seek(max(0, path.stat().st_size - 64 * 1024))
            return b"\n".join(file.read().splitlines()[-lines:]).decode(errors="replace")


# Process states in which a program holds (or is about to hold) its ports.
_ACTIVE = {"STARTING", "RUNNING", "BACKOFF", "STOPPING"}


def _escape(value: str) -> str:
    # supervisord expands %(name)s in values; a literal % is written %%.
    return value.replace("%", "%%")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (our child only if the daemon never detached) counts as gone.
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    return True
