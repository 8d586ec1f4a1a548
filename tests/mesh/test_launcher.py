"""The local mesh's launcher against the real PostgreSQL, Kafka and Triton."""

from __future__ import annotations

import shutil
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import numpy as np
import pytest
import tritonclient.grpc as triton_grpc
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from services.runtime.config import SERVICES, Settings
from tools.mesh import Mesh
from tools.mesh.component import Component, Program
from tools.mesh.kafka import DLQ_PARTITIONS, EVENT_PARTITIONS, topics

INFRASTRUCTURE = ("postgres", "kafka", "redis", "triton")
pytestmark = pytest.mark.mesh(*INFRASTRUCTURE)


def test_infrastructure_is_ready(mesh: Mesh) -> None:
    status = mesh.status()
    assert {name: status[name] for name in INFRASTRUCTURE} == dict.fromkeys(INFRASTRUCTURE, "ready")


def test_the_collectors_a_test_never_started_are_not_in_the_status(mesh: Mesh) -> None:
    """The test mesh leaves the collectors out of `mesh()` ([mesh] collectors = false): their programs are
    configured but never started, so they are neither "stopped" nor waited for by a test that waits for all."""
    configured = mesh.supervisor.processes()
    never_started = [name for name in ("victorialogs", "rsyslog") if configured[name]["statename"] == "STOPPED"]
    assert not set(never_started) & set(mesh.status())
    assert not set(never_started) & set(mesh.available())


def test_up_again_leaves_running_components_alone(mesh: Mesh) -> None:
    pids = {name: info["pid"] for name, info in mesh.supervisor.processes().items()}
    mesh.up(*INFRASTRUCTURE)
    assert {name: info["pid"] for name, info in mesh.supervisor.processes().items()} == pids
    assert mesh.elapsed < 2


async def test_every_topic_exists_with_its_partitions(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics()))
    finally:
        await admin.close()
    partitions = {topic["topic"]: len(topic["partitions"]) for topic in described}
    assert partitions == topics()
    assert partitions["fintech.payments.events.v1"] == EVENT_PARTITIONS
    assert partitions["fintech.payments.events.v1.dlq"] == DLQ_PARTITIONS


@pytest.mark.parametrize("database", SERVICES)
async def test_each_service_has_its_database(settings: Settings, database: str) -> None:
    pg = settings.postgres
    connection = await asyncpg.connect(
        host=pg.host, port=pg.port, user=pg.user, password=pg.password, database=database
    )
    try:
        owner = await connection.fetchval(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        )
        # The service's role owns its database, so its migrations can create tables in it.
        await connection.execute("CREATE TABLE launcher_probe (id int); DROP TABLE launcher_probe")
    finally:
        await connection.close()
    assert owner == pg.user


async def test_postgres_rejects_a_wrong_password(settings: Settings) -> None:
    pg = settings.postgres
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, password="wrong", database="payments")


async def test_postgres_superuser_cannot_log_in_over_tcp(settings: Settings) -> None:
    pg = settings.postgres
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(host=pg.host, port=pg.port, user="postgres", password="", database="postgres")


async def test_kafka_stops_and_starts_again(mesh: Mesh, settings: Settings) -> None:
    mesh.stop("kafka")
    assert mesh.status()["kafka"] == "stopped"
    mesh.start("kafka")
    assert mesh.status()["kafka"] == "ready"
    # Ready means usable: an idempotent acks=all producer and a consumer round-trip an event.
    topic, key, value = "fintech.payments.events.v1", uuid.uuid4().hex.encode(), b"after restart"
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, enable_idempotence=True)
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([sent.topic_partition])
        consumer.seek(sent.topic_partition, sent.offset)
        record = await consumer.getone()
    finally:
        await consumer.stop()
    assert (record.key, record.value) == (key, value)


def test_triton_is_ready_with_the_repository_models(settings: Settings) -> None:
    client = triton_grpc.InferenceServerClient(f"{settings.triton.host}:{settings.triton.grpc_port}")
    try:
        assert client.is_server_ready()
        index = client.get_model_repository_index().models
        assert all(model.state == "READY" for model in index)
    finally:
        client.close()


ECHO_CONFIG = """
name: "double"
backend: "python"
max_batch_size: 8
input [{ name: "X", data_type: TYPE_FP32, dims: [2] }]
output [{ name: "Y", data_type: TYPE_FP32, dims: [2] }]
instance_group [{ kind: KIND_CPU, count: 1 }]
"""
ECHO_MODEL = """
import numpy as np  # from the venv: the backend stub runs the venv's interpreter
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        return [
            pb_utils.InferenceResponse(
                [pb_utils.Tensor("Y", np.multiply(pb_utils.get_input_tensor_by_name(r, "X").as_numpy(), 2))]
            )
            for r in requests
        ]
"""


def test_triton_runs_a_python_model_and_waits_for_it(mesh: Mesh, settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "double" / "1").mkdir(parents=True)
    (tmp_path / "double" / "config.pbtxt").write_text(textwrap.dedent(ECHO_CONFIG))
    (tmp_path / "double" / "1" / "model.py").write_text(textwrap.dedent(ECHO_MODEL))
    mesh.stop("triton")
    try:
        # Another model repository changes Triton's program: the running supervisord takes it on up().
        with_model = Mesh(settings, model_repository=tmp_path)
        with_model.up("triton")
        assert with_model.status()["triton"] == "ready"
        client = triton_grpc.InferenceServerClient(f"{settings.triton.host}:{settings.triton.grpc_port}")
        request = triton_grpc.InferInput("X", [1, 2], "FP32")
        request.set_data_from_numpy(np.array([[1.5, -2.0]], dtype=np.float32))
        result = client.infer("double", [request]).as_numpy("Y")
        client.close()
        assert result.tolist() == [[3.0, -4.0]]
    finally:
        mesh.stop("triton")
        shutil.rmtree(tmp_path / "double")
        mesh.up("triton")
    assert mesh.status()["triton"] == "ready"


class ConfigReader(Component):
    """Reads its configuration file once at start and echoes it, as Envoy does with its generated YAML."""

    start_timeout = 30.0

    def __init__(self, settings: Settings, name: str, *, restart_when_stale: bool) -> None:
        super().__init__(settings)
        self.name = name
        self.restart_when_stale = restart_when_stale
        self.config = "v1"

    @property
    def config_path(self) -> Path:
        return self.state_dir / "config.txt"

    @property
    def echo_path(self) -> Path:
        return self.state_dir / "echo.txt"

    def program(self) -> Program:
        script = (
            "import os, pathlib, sys, time; config = pathlib.Path(sys.argv[1]).read_text(); "
            "pathlib.Path(sys.argv[2]).write_text(f'{os.getpid()} {config}'); time.sleep(3600)"
        )
        command = [sys.executable, "-c", script, str(self.config_path), str(self.echo_path)]
        return Program(command=command, stopwaitsecs=2, inputs=(self.config_path,))

    def prepare(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self.config)

    def echo(self) -> tuple[int, str]:
        """(pid, configuration) as the running program read it."""
        pid, config = self.echo_path.read_text().split(" ", 1)
        return int(pid), config

    async def ready(self) -> bool:
        # Written by the program that runs now, not by one that was stopped.
        return self.echo_path.exists() and Path(f"/proc/{self.echo()[0]}").exists()


@pytest.fixture
def config_mesh(settings: Settings, tmp_path: Path) -> Iterator[Mesh]:
    """A mesh of its own (state dir, supervisord port) with two config readers, one restarted when stale."""
    own: Settings = settings.model_copy(
        update={
            "mesh": settings.mesh.model_copy(update={"state_dir": tmp_path}),
            "supervisor": settings.supervisor.model_copy(update={"port": settings.supervisor.port + 2}),
        }
    )
    mesh = Mesh(own)
    mesh.components["edge-like"] = ConfigReader(own, "edge-like", restart_when_stale=True)
    mesh.components["service-like"] = ConfigReader(own, "service-like", restart_when_stale=False)
    yield mesh
    mesh.down()


def test_a_changed_generated_config_makes_a_component_stale(config_mesh: Mesh) -> None:
    edge, service = config_mesh.components["edge-like"], config_mesh.components["service-like"]
    config_mesh.up("edge-like", "service-like")
    pids = {name: info["pid"] for name, info in config_mesh.supervisor.processes().items()}

    config_mesh.up("edge-like", "service-like")  # same configuration: nothing restarts
    assert {name: info["pid"] for name, info in config_mesh.supervisor.processes().items()} == pids
    assert config_mesh.stale == []

    edge.config = service.config = "v2"  # same commands, new file contents
    config_mesh.up("edge-like", "service-like")
    processes = config_mesh.supervisor.processes()
    # The edge-like component restarted and read the new file; the other is reported, not restarted.
    assert processes["edge-like"]["pid"] != pids["edge-like"]
    assert edge.echo() == (processes["edge-like"]["pid"], "v2")
    assert processes["service-like"]["pid"] == pids["service-like"]
    assert service.echo() == (pids["service-like"], "v1")
    assert config_mesh.stale == ["service-like"]
