"""Apache Kafka 4 in KRaft mode, one node that is both broker and controller.

The jars come from Maven Central (`make setup` copies pom.xml's dependencies into .tools/kafka/libs).
Readiness is metadata through the admin client plus every topic present, never only an open port.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from services.runtime.config import ROOT, SERVICES
from services.runtime.kafka import ANALYTICS_PARTITIONS, ANALYTICS_TOPIC_CONFIG, ANALYTICS_TOPICS
from tools.mesh.component import Component, MeshError, Program

LIBS = ROOT / ".tools" / "kafka" / "libs"
EVENT_PARTITIONS = 6
DLQ_PARTITIONS = 1
REQUEST_TIMEOUT_MS = 3000

LOG4J2 = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by tools/mesh: the broker logs to stdout, which supervisord keeps in var/log/kafka.log. -->
<Configuration status="WARN">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="stdout"/></Root>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="org.apache.kafka.controller" level="WARN"/>
    <Logger name="kafka.log.LogCleaner" level="WARN"/>
  </Loggers>
</Configuration>
"""


def topics() -> dict[str, int]:
    """Every topic of the mesh and its partition count: events per domain and their dead letters."""
    names: dict[str, int] = {}
    for domain in SERVICES:
        names[f"fintech.{domain}.events.v1"] = EVENT_PARTITIONS
        names[f"fintech.{domain}.events.v1.dlq"] = DLQ_PARTITIONS
    # The real-time aggregates (services/analytics), compacted (topic_config).
    names.update(dict.fromkeys(ANALYTICS_TOPICS.values(), ANALYTICS_PARTITIONS))
    return names


def topic_config(name: str) -> dict[str, str]:
    """A topic's settings beyond the broker's defaults."""
    return dict(ANALYTICS_TOPIC_CONFIG) if name in ANALYTICS_TOPICS.values() else {}


class Kafka(Component):
    name = "kafka"
    start_timeout = 60.0

    @property
    def data_dir(self) -> Path:
        return self.state_dir / "data"

    @property
    def properties_file(self) -> Path:
        return self.state_dir / "server.properties"

    def program(self) -> Program:
        heap = f"{self.settings.kafka.heap_mb}m"
        return Program(
            command=[
                _java(),
                f"-Xms{heap}",
                f"-Xmx{heap}",
                "-XX:+UseG1GC",
                "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={self.state_dir / 'log4j2.xml'}",
                "-cp",
                f"{LIBS}/*",  # the JVM expands the wildcard itself: supervisord runs no shell
                "kafka.Kafka",
                str(self.properties_file),
            ],
            stopwaitsecs=30,
            priority=20,
        )

    def prepare(self) -> None:
        if not any(LIBS.glob("kafka_2.13-*.jar")):
            raise MeshError(f"no Kafka jars in {LIBS}: run `make setup` (it fetches them with Maven)")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _write_if_changed(self.properties_file, self._properties())
        _write_if_changed(self.state_dir / "log4j2.xml", LOG4J2)
        if (self.data_dir / "meta.properties").exists():
            return
        # One-time KRaft format: a new cluster id and this node as the sole (standalone) controller.
        command = [
            _java(),
            "-cp",
            f"{LIBS}/*",
            f"-Dlog4j2.configurationFile={self.state_dir / 'log4j2.xml'}",
            "kafka.tools.StorageTool",
            *("format", "--standalone", "--ignore-formatted"),
            *("-t", _cluster_id(), "-c", str(self.properties_file)),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise MeshError(f"kafka storage format failed: {result.stderr.strip() or result.stdout.strip()}")

    def _properties(self) -> str:
        kafka = self.settings.kafka
        broker, controller = f"{kafka.host}:{kafka.port}", f"{kafka.host}:{kafka.controller_port}"
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": controller,
            "listeners": f"PLAINTEXT://{broker},CONTROLLER://{controller}",
            "advertised.listeners": f"PLAINTEXT://{broker},CONTROLLER://{controller}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.data_dir),
            "num.partitions": "1",
            # One broker: every internal topic has one replica and needs one in sync.
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            # The first transactional producer (services/analytics) creates this topic: 50 partitions by default.
            "transaction.state.log.num.partitions": "10",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "min.insync.replicas": "1",
            "default.replication.factor": "1",
            # Consumers in tests join at once instead of waiting 3 s for more members.
            "group.initial.rebalance.delay.ms": "0",
            # The cleaner's buffer defaults to 128 MB of heap; 1 MB per thread is the floor.
            "log.cleaner.dedupe.buffer.size": str(4 * 1024 * 1024),
            # Topics are created explicitly (bootstrap), so a typo fails instead of making a topic.
            "auto.create.topics.enable": "false",
            "log.retention.hours": "168",
        }
        header = "# Written by tools/mesh from mesh.toml; edits are overwritten.\n"
        return header + "".join(f"{key}={value}\n" for key, value in settings.items())

    async def reachable(self) -> bool:
        return await self._with_admin(_has_broker)

    async def bootstrap(self) -> None:
        async def create_missing(admin: AIOKafkaAdminClient) -> bool:
            present = set(await admin.list_topics())
            missing = [
                NewTopic(name, num_partitions=partitions, replication_factor=1, topic_configs=topic_config(name))
                for name, partitions in topics().items()
                if name not in present
            ]
            if missing:
                await admin.create_topics(missing)
            return True

        if not await self._with_admin(create_missing):
            raise MeshError("kafka: could not create the topics")

    async def ready(self) -> bool:
        async def all_topics(admin: AIOKafkaAdminClient) -> bool:
            return await _has_broker(admin) and set(topics()) <= set(await admin.list_topics())

        return await self._with_admin(all_topics)

    async def _with_admin(self, action: Callable[[AIOKafkaAdminClient], Awaitable[bool]]) -> bool:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.settings.kafka.bootstrap_servers,
            request_timeout_ms=REQUEST_TIMEOUT_MS,
            client_id="fintech-mesh-launcher",
        )
        try:
            await admin.start()
            return await action(admin)
        except (KafkaError, OSError):
            return False
        finally:
            with contextlib.suppress(Exception):
                await admin.close()


async def _has_broker(admin: AIOKafkaAdminClient) -> bool:
    cluster = await admin.describe_cluster()
    return bool(cluster.get("brokers"))


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not Path(java).exists():
        raise MeshError("java not found: Kafka needs Java 17 or newer (JAVA_HOME or PATH)")
    return java


def _cluster_id() -> str:
    # Kafka's Uuid.randomUuid: 16 random bytes, URL-safe base64 without padding, never starting with "-".
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
