"""The file exchange's folders in the object store's bucket (boto3 in a worker thread: its calls block)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from services.runtime.data_platform_settings import ObjectStoreSettings
from services.runtime.object_store import s3_client


class ExchangeStore:
    def __init__(self, settings: ObjectStoreSettings) -> None:
        self._settings = settings
        self._bucket = settings.bucket
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = s3_client(self._settings)
        return self._client

    async def keys(self, prefix: str) -> list[str]:
        def list_all() -> list[str]:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=prefix)
            return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

        return await asyncio.to_thread(list_all)

    async def oldest_age_seconds(self, prefix: str) -> float:
        """How long the oldest object under `prefix` has been there (0 when none is)."""

        def oldest() -> float:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=prefix)
            times = [item["LastModified"] for page in pages for item in page.get("Contents", [])]
            return (datetime.now(UTC) - min(times)).total_seconds() if times else 0.0

        return await asyncio.to_thread(oldest)

    async def read(self, key: str) -> bytes:
        def get() -> bytes:
            body = self.client.get_object(Bucket=self._bucket, Key=key)["Body"]
            try:
                data: bytes = body.read()
            finally:
                body.close()
            return data

        return await asyncio.to_thread(get)

    async def size(self, key: str) -> int:
        head = await asyncio.to_thread(self.client.head_object, Bucket=self._bucket, Key=key)
        return int(head["ContentLength"])

    async def write(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self.client.put_object, Bucket=self._bucket, Key=key, Body=data)

    async def exists(self, key: str) -> bool:
        def head() -> bool:
            from botocore.exceptions import ClientError

            try:
                self.client.head_object(Bucket=self._bucket, Key=key)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                    return False
                raise
            return True

        return await asyncio.to_thread(head)

    async def move(self, key: str, to: str) -> None:
        def copy_then_delete() -> None:
            self.client.copy_object(Bucket=self._bucket, Key=to, CopySource={"Bucket": self._bucket, "Key": key})
            self.client.delete_object(Bucket=self._bucket, Key=key)

        await asyncio.to_thread(copy_then_delete)
