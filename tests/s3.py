"""A real S3 API on loopback: moto's standalone server (moto_server), started by the test run.

`S3Server.start()` binds a free port first (moto's own readiness is not to be trusted), starts
`python -m moto.server` on it and waits until it answers. Buckets are made with boto3, as an
operator would with the cloud console; the app then talks to the server only through
django-storages, exactly as it would to AWS S3, MinIO or Ceph.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
BUCKET_POLICY = ROOT / "deploy" / "s3-bucket-policy.json"

ACCESS_KEY = "forumasia-test"
SECRET_KEY = "forumasia-test-secret"
REGION = "us-east-1"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class S3Server:
    def __init__(self, log_path):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process = None

    def start(self):
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto_server exited; see {self.log_path}")
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=1).close()
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"moto_server did not answer on {self.endpoint}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self._log.close()

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def create_bucket(self, prefix="forumasia"):
        """A new bucket with the policy README tells operators to set (deploy/): anyone may read
        the public uploads under media/, nobody but the app what is under private/."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        client = self.client()
        client.create_bucket(Bucket=name)
        policy = json.loads(BUCKET_POLICY.read_text().replace("BUCKET", name))
        client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
        return name

    def keys(self, bucket, prefix=""):
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def environment(self, bucket, **extra):
        """The variables that switch the site to this bucket (README, Configuration)."""
        return {
            "DJANGO_MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_S3_REGION_NAME": REGION,
            **extra,
        }


def use_bucket(settings, server, bucket):
    """Point the running test's settings at `bucket`, as settings.py does for those variables."""
    storage_options = {
        "bucket_name": bucket,
        "endpoint_url": server.endpoint,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "region_name": REGION,
        "addressing_style": "path",
        "querystring_auth": False,
        "file_overwrite": False,
        "custom_domain": None,
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**storage_options, "location": "media"},
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**storage_options, "location": "private", "default_acl": "private"},
        },
    }
    settings.MEDIA_ORIGIN = server.endpoint
    settings.MEDIA_ORIGINS = [server.endpoint]
    settings.MEDIA_URL = f"{server.endpoint}/{bucket}/media/"
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {
            **directives,
            "img-src": [*directives["img-src"], server.endpoint],
            "media-src": [*directives["media-src"], server.endpoint],
        },
    }
