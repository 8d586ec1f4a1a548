"""The launcher gives up with the program's own words when a component cannot start."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.runtime.config import Settings, get_settings
from tools.mesh import Mesh, MeshError
from tools.mesh.component import Component, Program


class Crasher(Component):
    """Lives past supervisord's startsecs, then dies: supervisord would restart it forever."""

    name = "crasher"
    start_timeout = 30.0

    def program(self) -> Program:
        script = "import sys, time; time.sleep(1.2); print('crasher: cannot bind', flush=True); sys.exit(3)"
        return Program(command=[sys.executable, "-c", script], stopwaitsecs=2)

    async def ready(self) -> bool:
        return False


@pytest.fixture
def scratch_mesh(tmp_path: Path) -> Iterator[Mesh]:
    """A mesh of its own (state dir, supervisord port), so the session's mesh is not disturbed."""
    base = get_settings()
    settings: Settings = base.model_copy(
        update={
            "mesh": base.mesh.model_copy(update={"state_dir": tmp_path}),
            "supervisor": base.supervisor.model_copy(update={"port": base.supervisor.port + 1}),
        }
    )
    mesh = Mesh(settings)
    mesh.components["crasher"] = Crasher(settings)
    yield mesh
    mesh.down()


def test_a_crash_looping_program_fails_fast_with_its_log(scratch_mesh: Mesh) -> None:
    with pytest.raises(MeshError, match="crasher keeps exiting") as failure:
        scratch_mesh.up("crasher")
    assert "crasher: cannot bind" in str(failure.value)
    assert scratch_mesh.elapsed == 0.0  # up() never finished


def test_an_unknown_component_is_refused(scratch_mesh: Mesh) -> None:
    with pytest.raises(MeshError, match="unknown component 'kafak'"):
        scratch_mesh.up("kafak")
