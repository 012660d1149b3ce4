"""S3-compatible object storage helpers."""
import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

import boto3
import requests
from django.conf import settings


def _sign(method, bucket, key, expires_at):
    message = f"{method}\n{bucket}\n{key}\n{expires_at}".encode()
    return hmac.new(settings.OBJECT_STORAGE_SIGNING_KEY.encode(), message, hashlib.sha256).hexdigest()


def presign_download(bucket, key, expires=300):
    expires_at = int(time.time()) + expires
    query = urlencode({"expires": expires_at, "signature": _sign("GET", bucket, key, expires_at)})
    return f"{settings.OBJECT_STORAGE_ENDPOINT}/{bucket}/{quote(key)}?{query}"


def presign_upload(bucket, key, expires=900):
    expires_at = int(time.time()) + expires
    query = urlencode({"expires": expires_at, "signature": _sign("PUT", bucket, key, expires_at)})
    return f"{settings.OBJECT_STORAGE_ENDPOINT}/{bucket}/{quote(key)}?{query}"


class ObjectStorage:
    def __init__(self, bucket, endpoint=None):
        self.bucket = bucket
        self.endpoint = endpoint or settings.OBJECT_STORAGE_ENDPOINT
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = boto3.client("s3", endpoint_url=self.endpoint)
        return self._client

    def put_object(self, key, body, content_type="application/octet-stream"):
        url = presign_upload(self.bucket, key)
        resp = requests.put(url, data=body, headers={"Content-Type": content_type}, timeout=30)
        resp.raise_for_status()
        return key

    def delete_prefix(self, prefix):
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            keys = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})
