"""Runs Airbyte's source-hubspot (in its own virtualenv) against Comptoir: the only change
is the host, rewritten at the `requests` adapter; every request is logged with its status
(one JSON line each) to the file named by COMPTOIR_CALLS.

    COMPTOIR_URL=http://127.0.0.1:8000 COMPTOIR_CALLS=calls.jsonl \
        python run_source.py check --config config.json
"""

import json
import os
import sys
from urllib.parse import urlsplit

import requests.adapters

HUBSPOT = "https://api.hubapi.com"
TARGET = os.environ["COMPTOIR_URL"].rstrip("/")
CALLS = os.environ.get("COMPTOIR_CALLS")
_send = requests.adapters.HTTPAdapter.send


def send(self, request, *args, **kwargs):
    if request.url.startswith(HUBSPOT):
        request.url = TARGET + request.url[len(HUBSPOT) :]
    response = _send(self, request, *args, **kwargs)
    if CALLS:
        with open(CALLS, "a") as log:
            parts = urlsplit(request.url)
            entry = {"method": request.method, "path": parts.path, "status": response.status_code}
            log.write(json.dumps(entry) + "\n")
    return response


requests.adapters.HTTPAdapter.send = send

from source_hubspot.run import run  # noqa: E402 (after the adapter is patched)

sys.argv = ["source-hubspot", *sys.argv[1:]]
run()
