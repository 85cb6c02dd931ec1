"""HubSpot's v3 request signature (API-4), as receivers check it.

`X-HubSpot-Signature-v3` is base64(HMAC-SHA256(client secret, method + URI + body +
timestamp)), the timestamp being `X-HubSpot-Request-Timestamp` in milliseconds since the
epoch; receivers refuse a timestamp older than five minutes (the official SDKs'
`Signature.is_valid`). The URI is the target URL as configured, scheme, host, path and
query."""

import base64
import hashlib
import hmac
import secrets


def new_secret() -> str:
    return secrets.token_hex(18)


def signature_v3(client_secret: str, method: str, uri: str, body: str, timestamp: str) -> str:
    source = f"{method}{uri}{body}{timestamp}".encode()
    digest = hmac.new(client_secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def headers(client_secret: str, uri: str, body: str, timestamp_ms: int) -> dict:
    timestamp = str(timestamp_ms)
    return {
        "Content-Type": "application/json",
        "User-Agent": "Comptoir-Webhooks/1.0",
        "X-HubSpot-Request-Timestamp": timestamp,
        "X-HubSpot-Signature-v3": signature_v3(client_secret, "POST", uri, body, timestamp),
        "X-HubSpot-Signature-Version": "v3",
    }
