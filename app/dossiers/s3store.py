"""Dossier files in an S3-compatible bucket (AWS S3, SeaweedFS, MinIO, …) through boto3.

Uploads stream from the file (multipart above the configured size); downloads stream the
object's body in chunks. Credentials come from boto3's standard chain (AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY, a profile, an instance role) and are never logged.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app

from app.core.storage_url import S3Target
from app.dossiers.filestore import (
    CHUNK,
    FileStoreUnavailable,
    StoredBlob,
    StoredEntry,
    check_key,
    new_key,
)

MIB = 1024 * 1024
# Everything boto3 raises when the store is down, slow or refuses.
_S3_ERRORS = (BotoCoreError, ClientError, Boto3Error)
_MISSING = ("NoSuchKey", "404", "NotFound")


def _code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "?"))
    return type(exc).__name__


class S3FileStore:
    """Objects named `<prefix><key>` in one bucket; the key is what rows reference."""

    def __init__(self, target: S3Target) -> None:
        self.target = target
        self.bucket = target.bucket
        self.prefix = target.prefix
        self.client: Any = boto3.session.Session().client(
            "s3", endpoint_url=target.endpoint, region_name=target.region,
            config=Config(
                # A self-hosted endpoint has no per-bucket DNS names.
                s3={"addressing_style": "path" if target.endpoint else "auto"},
                connect_timeout=5, read_timeout=60,
                retries={"max_attempts": 3, "mode": "standard"}))
        part = target.multipart_mb * MIB
        self.transfer = TransferConfig(multipart_threshold=part, multipart_chunksize=part,
                                       max_concurrency=4)
        self.extra: dict[str, str] = {}
        if target.sse:
            self.extra["ServerSideEncryption"] = target.sse

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _fail(self, operation: str, exc: BaseException, key: str = "") -> NoReturn:
        # Keys are random and the error code names no person: safe to log.
        current_app.logger.error("file store %s failed (%s) for %s%s in bucket %s",
                                 operation, _code(exc), self.prefix, key, self.bucket)
        raise FileStoreUnavailable() from exc

    # --- writes ---------------------------------------------------------------------------

    def put_file(self, src_path: Path, ext: str) -> str:
        with open(src_path, "rb") as src:
            return self.put_stream(src, ext)

    def put_bytes(self, data: bytes, ext: str) -> str:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError("put_bytes needs bytes")
        return self.put_stream(io.BytesIO(data), ext)

    def put_stream(self, src: BinaryIO, ext: str) -> str:
        """Stream `src` up; above the multipart size in parts, which s3transfer aborts on
        failure. A failure after the object was completed deletes it again."""
        key = new_key(ext)
        self.put_as(key, src)
        return key

    def put_as(self, key: str, src: BinaryIO) -> None:
        """Store `src` under a key it already had elsewhere (a restore from a backup)."""
        try:
            self.client.upload_fileobj(src, self.bucket, self._name(key),
                                       ExtraArgs=dict(self.extra) or None,
                                       Config=self.transfer)
        except BaseException as exc:
            with contextlib.suppress(*_S3_ERRORS):
                self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
            if isinstance(exc, _S3_ERRORS):
                self._fail("upload", exc, key)
            raise

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except _S3_ERRORS as exc:
            self._fail("delete", exc, key)

    # --- reads ----------------------------------------------------------------------------

    def _get(self, key: str) -> dict[str, Any]:
        name = self._name(key)
        try:
            return dict(self.client.get_object(Bucket=self.bucket, Key=name))
        except ClientError as exc:
            if _code(exc) in _MISSING:
                raise FileNotFoundError(key) from exc
            self._fail("download", exc, key)
        except _S3_ERRORS as exc:
            self._fail("download", exc, key)

    def open(self, key: str) -> BinaryIO:
        body: BinaryIO = self._get(key)["Body"]
        return body

    def read(self, key: str) -> StoredBlob:
        found = self._get(key)
        body = found["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            except _S3_ERRORS as exc:
                # Headers are gone already: the short body (against Content-Length) tells
                # the client the download broke.
                current_app.logger.error("file store download broke (%s) for %s%s",
                                         _code(exc), self.prefix, key)
            finally:
                body.close()

        return StoredBlob(chunks(), int(found["ContentLength"]),
                          found["LastModified"].timestamp(), body.close)

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return False
            self._fail("head", exc, key)
        except _S3_ERRORS as exc:
            self._fail("head", exc, key)
        return True

    # --- the orphan sweep -----------------------------------------------------------------

    def entries(self) -> Iterator[StoredEntry]:
        """Our objects directly under the prefix, and unfinished multipart uploads there.
        Anything else in the bucket (other names, deeper folders) is not ours to judge."""
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix, Delimiter="/")
            for page in pages:
                for item in page.get("Contents", ()):
                    key = item["Key"][len(self.prefix):]
                    with contextlib.suppress(ValueError):
                        yield StoredEntry(check_key(key), item["LastModified"].timestamp(),
                                          f"s3://{self.bucket}/{item['Key']}")
            uploads = self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=self.prefix)
            for page in uploads:
                for item in page.get("Uploads", ()):
                    key = item["Key"][len(self.prefix):]
                    with contextlib.suppress(ValueError):
                        yield StoredEntry(check_key(key), item["Initiated"].timestamp(),
                                          f"s3://{self.bucket}/{item['Key']} (unfinished "
                                          "upload)", upload_id=item["UploadId"])
        except _S3_ERRORS as exc:
            self._fail("list", exc)

    def remove_entry(self, entry: StoredEntry) -> None:
        if entry.upload_id is None:
            self.delete(entry.key)
            return
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=self._name(entry.key),
                                               UploadId=entry.upload_id)
        except _S3_ERRORS as exc:
            self._fail("abort upload", exc, entry.key)
