#!/usr/bin/env python3
"""Creates a bucket on an S3-compatible endpoint with SigV4-signed requests,
then writes, reads back and deletes a probe object, so that success means
the store really accepts data.

Usage: s3-create-bucket.py ENDPOINT BUCKET ACCESS_KEY SECRET_KEY [REGION]
Exits 0 on success, 1 otherwise. Standard library only.
"""
import datetime
import hashlib
import hmac
import sys
import urllib.error
import urllib.parse
import urllib.request


def sign(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def request(endpoint, method, path, body, access, secret, region):
    host = urllib.parse.urlparse(endpoint).netloc
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = now.strftime("%Y%m%d")
    payload_hash = hashlib.sha256(body).hexdigest()
    canonical_headers = f"host:{host}\nx-amz-content-sha256:{payload_hash}\nx-amz-date:{amz_date}\n"
    signed_headers = "host;x-amz-content-sha256;x-amz-date"
    canonical_request = "\n".join(
        [method, path, "", canonical_headers, signed_headers, payload_hash]
    )
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    k = sign(("AWS4" + secret).encode(), day)
    k = sign(k, region)
    k = sign(k, "s3")
    k = sign(k, "aws4_request")
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"{endpoint}{path}", method=method, data=body if method == "PUT" else None)
    req.add_header("x-amz-date", amz_date)
    req.add_header("x-amz-content-sha256", payload_hash)
    req.add_header(
        "Authorization",
        f"AWS4-HMAC-SHA256 Credential={access}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main():
    endpoint, bucket, access, secret = sys.argv[1:5]
    region = sys.argv[5] if len(sys.argv) > 5 else "us-east-1"
    status, body = request(endpoint, "PUT", f"/{bucket}", b"", access, secret, region)
    if status not in (200, 204) and not (status == 409 and b"BucketAlreadyOwnedByYou" in body):
        print(f"create bucket: HTTP {status}: {body[:300]!r}", file=sys.stderr)
        return 1
    probe = b"tracewell probe object"
    status, body = request(endpoint, "PUT", f"/{bucket}/probe", probe, access, secret, region)
    if status != 200:
        print(f"put probe: HTTP {status}: {body[:300]!r}", file=sys.stderr)
        return 1
    status, body = request(endpoint, "GET", f"/{bucket}/probe", b"", access, secret, region)
    if status != 200 or body != probe:
        print(f"get probe: HTTP {status}", file=sys.stderr)
        return 1
    status, body = request(endpoint, "DELETE", f"/{bucket}/probe", b"", access, secret, region)
    if status not in (200, 204):
        print(f"delete probe: HTTP {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
