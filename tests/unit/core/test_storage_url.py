"""FILE_STORE_URL: what each form means, and the mistakes refused at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigError, Settings
from app.core.storage_url import LocalTarget, S3Target, parse_file_store_url


@pytest.mark.parametrize(("url", "expected"), [
    ("", LocalTarget(None)),
    ("file:///srv/motcua/files", LocalTarget("/srv/motcua/files")),
    ("s3://ho-so", S3Target("ho-so", "", None, None, None, 8)),
    ("s3://ho-so/xa-a/?region=ap-southeast-1&sse=AES256",
     S3Target("ho-so", "xa-a/", None, "ap-southeast-1", "AES256", 8)),
    ("s3://b/p/q?endpoint=http://127.0.0.1:8333&sse=aws:kms&multipart_mb=16",
     S3Target("b", "p/q/", "http://127.0.0.1:8333", None, "aws:kms", 16)),
])
def test_forms(url: str, expected: object) -> None:
    assert parse_file_store_url(url) == expected


@pytest.mark.parametrize(("url", "message"), [
    ("/srv/files", "file:// or s3://"),
    ("file://files", "absolute path"),
    ("s3://", "bucket"),
    ("s3://KEY:SECRET@bucket", "credentials"),
    ("s3://b?endpoint=127.0.0.1:8333", "endpoint"),
    ("s3://b?sse=des", "sse"),
    ("s3://b?multipart_mb=4", ">= 5"),
    ("s3://b?multipart_mb=8MB", ">= 5"),
    ("s3://b?acl=public-read", "unknown option"),
])
def test_mistakes_stop_the_start(url: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(tmp_path, {"FILE_STORE_URL": url, "SECRET_KEY": "x"})
