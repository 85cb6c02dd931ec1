"""An S3 server for the tests: moto in server mode (`moto_server`) on a free port, started
once per session as a process of its own; each test takes a bucket of its own."""

import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from comptoir.core.testing.processes import wait_for

KEYS = {"access": "comptoir-test", "secret": "comptoir-test-secret", "region": "us-east-1"}


@dataclass
class S3Server:
    endpoint: str

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=KEYS["access"],
            aws_secret_access_key=KEYS["secret"],
            region_name=KEYS["region"],
        )

    def new_bucket(self) -> str:
        name = f"comptoir-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str) -> dict[str, bytes]:
        client = self.client()
        listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
        return {
            item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            for item in listed
        }

    def environment(self, bucket: str) -> dict[str, str]:
        """What an administrator sets to keep Comptoir's files in `bucket`."""
        return {
            "COMPTOIR_STORAGE": "s3",
            "COMPTOIR_S3_BUCKET": bucket,
            "COMPTOIR_S3_ENDPOINT_URL": self.endpoint,
            "COMPTOIR_S3_ACCESS_KEY_ID": KEYS["access"],
            "COMPTOIR_S3_SECRET_ACCESS_KEY": KEYS["secret"],
            "COMPTOIR_S3_REGION": KEYS["region"],
        }


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    binary = str(Path(sys.executable).parent / "moto_server")
    with log.open("ab") as handle:
        process = subprocess.Popen(
            [binary, "-H", "127.0.0.1", "-p", str(port)], stdout=handle, stderr=subprocess.STDOUT
        )

    def up():
        assert process.poll() is None, log.read_text()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    wait_for(up, "moto_server answers", tries=600)
    yield S3Server(f"http://127.0.0.1:{port}")
    process.terminate()
    process.wait(timeout=30)
