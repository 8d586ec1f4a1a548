"""The data platform's object store: versitygw (Apache-2.0), an S3 gateway over a local directory.

The binary is built from its Go module by `make setup` (cached by version outside the clone, linked as
.tools/bin/versitygw). Objects are plain files under var/object_store/data/<bucket>/ (the posix backend keeps
S3 metadata in extended attributes). The credentials reach it through its environment (ROOT_ACCESS_KEY,
ROOT_SECRET_KEY), never its command line. bootstrap() creates the bucket once the gateway answers; ready() is a
HeadBucket with those credentials: what the lake and the file exchange need works.
"""

from __future__ import annotations

import asyncio

from services.runtime.config import ROOT
from services.runtime.object_store import bucket_answers, s3_client
from tools.mesh import http_probe
from tools.mesh.component import Component, MeshError, Program

BINARY = ROOT / ".tools" / "bin" / "versitygw"
PROBE_TIMEOUT = 2.0
HEALTH_PATH = "/health"


class ObjectStore(Component):
    name = "object_store"
    start_timeout = 20.0

    def program(self) -> Program:
        if not BINARY.exists():
            raise MeshError(f"{BINARY} is missing: run `make setup` (it builds versitygw)")
        o = self.settings.object_store
        return Program(
            # --quiet: no line per request (the lake writes many small objects; rsyslog would ship each).
            command=[
                str(BINARY),
                "--port",
                f"{o.host}:{o.port}",
                "--health",
                HEALTH_PATH,
                "--quiet",
                "posix",
                str(self.state_dir / "data"),
            ],
            environment={"ROOT_ACCESS_KEY": o.access_key, "ROOT_SECRET_KEY": o.secret_key},
            stopwaitsecs=10,
            # Stopped after the lake service and the file exchange, which write into it.
            priority=10,
        )

    def prepare(self) -> None:
        (self.state_dir / "data").mkdir(parents=True, exist_ok=True)

    async def reachable(self) -> bool:
        """The gateway answers its health path (before the bucket exists)."""
        return await http_probe.answers(f"{self.settings.object_store.url}{HEALTH_PATH}")

    async def bootstrap(self) -> None:
        await asyncio.to_thread(self._create_bucket)

    async def ready(self) -> bool:
        return await asyncio.to_thread(bucket_answers, self.settings.object_store, timeout=PROBE_TIMEOUT)

    def _create_bucket(self) -> None:
        from botocore.exceptions import ClientError

        o = self.settings.object_store
        try:
            s3_client(o, timeout=PROBE_TIMEOUT, attempts=1).create_bucket(Bucket=o.bucket)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
