#!/usr/bin/env python3
"""Creates a bucket on an S3-compatible endpoint with a SigV4-signed PUT.

Usage: s3-create-bucket.py ENDPOINT BUCKET ACCESS_KEY SECRET_KEY [REGION]
Exits 0 if the bucket exists afterwards, 1 otherwise. Standard library only.
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


def main():
    endpoint, bucket, access, secret = sys.argv[1:5]
    region = sys.argv[5] if len(sys.argv) > 5 else "us-east-1"
    host = urllib.parse.urlparse(endpoint).netloc
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = now.strftime("%Y%m%d")
    payload_hash = hashlib.sha256(b"").hexdigest()
    canonical_headers = f"host:{host}\nx-amz-content-sha256:{payload_hash}\nx-amz-date:{amz_date}\n"
    signed_headers = "host;x-amz-content-sha256;x-amz-date"
    canonical_request = "\n".join(
        ["PUT", f"/{bucket}", "", canonical_headers, signed_headers, payload_hash]
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
    req = urllib.request.Request(f"{endpoint}/{bucket}", method="PUT", data=b"")
    req.add_header("x-amz-date", amz_date)
    req.add_header("x-amz-content-sha256", payload_hash)
    req.add_header(
        "Authorization",
        f"AWS4-HMAC-SHA256 Credential={access}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return 0 if resp.status in (200, 204) else 1
    except urllib.error.HTTPError as e:
        body = e.read().decode(errors="replace")
        if e.code == 409 and "BucketAlreadyOwnedByYou" in body:
            return 0
        print(f"HTTP {e.code}: {body[:300]}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
