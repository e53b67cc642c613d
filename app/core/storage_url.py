"""FILE_STORE_URL: which file store holds dossier files (local folder or an S3 bucket)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

# S3 refuses multipart parts under 5 MiB (except the last one).
MIN_PART_MB = 5
SSE_MODES = ("AES256", "aws:kms")


@dataclass(frozen=True)
class LocalTarget:
    root: str | None  # None: "files" under UPLOAD_DIR


@dataclass(frozen=True)
class S3Target:
    bucket: str
    prefix: str  # "" or ends with "/"
    endpoint: str | None  # None: the AWS endpoint of the region
    region: str | None
    sse: str | None  # ServerSideEncryption sent with every write
    multipart_mb: int  # files above this go up in parts of this size

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def parse_file_store_url(url: str) -> LocalTarget | S3Target:
    """`file:///abs/path`, empty (the upload folder), or
    `s3://bucket/prefix?endpoint=http://host:port&region=…&sse=AES256&multipart_mb=8`.

    Raises ValueError with a message fit for a start-up error. Credentials never go in the
    URL: boto3 reads them from the standard AWS environment variables or files.
    """
    url = url.strip()
    if not url:
        return LocalTarget(None)
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ValueError("FILE_STORE_URL file:// needs an absolute path (file:///srv/x)")
        return LocalTarget(unquote(parts.path))
    if parts.scheme != "s3":
        raise ValueError("FILE_STORE_URL must start with file:// or s3://")
    if "@" in parts.netloc:
        raise ValueError("FILE_STORE_URL must not carry credentials: set AWS_ACCESS_KEY_ID "
                         "and AWS_SECRET_ACCESS_KEY (or an AWS profile) instead")
    bucket = parts.netloc
    if not bucket:
        raise ValueError("FILE_STORE_URL s3:// needs a bucket name (s3://bucket/prefix)")
    prefix = parts.path.strip("/")
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = set(query) - {"endpoint", "region", "sse", "multipart_mb"}
    if unknown:
        raise ValueError(f"FILE_STORE_URL: unknown option(s) {', '.join(sorted(unknown))}")
    endpoint = query.get("endpoint") or None
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise ValueError("FILE_STORE_URL endpoint must start with http:// or https://")
    sse = query.get("sse") or None
    if sse is not None and sse not in SSE_MODES:
        raise ValueError(f"FILE_STORE_URL sse must be one of {', '.join(SSE_MODES)}")
    raw_mb = query.get("multipart_mb") or "8"
    if not raw_mb.isdigit() or int(raw_mb) < MIN_PART_MB:
        raise ValueError(f"FILE_STORE_URL multipart_mb must be a whole number >= {MIN_PART_MB}")
    return S3Target(bucket=bucket, prefix=f"{prefix}/" if prefix else "", endpoint=endpoint,
                    region=query.get("region") or None, sse=sse, multipart_mb=int(raw_mb))
