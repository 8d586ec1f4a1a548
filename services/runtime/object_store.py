"""The data platform's S3 object store ([object_store]): a boto3 client of its bucket, for the services and tools
that read or write objects (the lake, the file exchange, the mesh's readiness probe)."""

from __future__ import annotations

from typing import Any

from services.runtime.data_platform_settings import ObjectStoreSettings

# boto3 ships no types (its stubs are another package): its clients are Any.
S3Client = Any
TIMEOUT = 5.0


def s3_client(settings: ObjectStoreSettings, *, timeout: float = TIMEOUT, attempts: int = 3) -> S3Client:
    """A boto3 S3 client of the object store (path-style addressing: the bucket is in the path, not the host)."""
    import boto3  # imported on use: loading boto3 costs ~0.3 s, which processes that never call S3 should not pay
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=settings.url,
        region_name=settings.region,
        aws_access_key_id=settings.access_key,
        aws_secret_access_key=settings.secret_key,
        config=Config(
            s3={"addressing_style": "path"},
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": attempts, "mode": "standard"},
        ),
    )


def bucket_answers(settings: ObjectStoreSettings, *, timeout: float = 2.0, client: S3Client | None = None) -> bool:
    """HeadBucket with the configured credentials works (blocking: call it in a thread). A probe that runs often
    passes its `client`: making one costs far more than the request."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        (client or s3_client(settings, timeout=timeout, attempts=1)).head_bucket(Bucket=settings.bucket)
    except (BotoCoreError, ClientError):
        return False
    return True
