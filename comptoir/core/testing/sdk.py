"""Real HTTP clients (hubspot-api-client, requests) talking to Django in this process.

The HubSpot SDK's REST layer calls `pool_manager.request(...)` of urllib3; `PoolManager`
below is urllib3's own `RequestMethods` (so fields, query strings and multipart bodies are
encoded by urllib3 exactly as on the wire) whose `urlopen` hands the request to Django's
test client instead of a socket, and answers with a real `urllib3.HTTPResponse`. `Adapter`
does the same for a `requests.Session`.

Requests run in the test's own thread and transaction: no live server, no flush after the
test. What the server does at the end of a request is kept:
- callbacks registered with `transaction.on_commit` run when the request ends (the request
  would have committed), not at the end of the test;
- CSRF checks are enforced as on a real server; a view's exception answers 500;
- the thread's language is given back after each request (a server thread's is its own).

Tests that need a real socket or several processes (locks, workers) keep `live_server`.
"""

from __future__ import annotations

import io
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import urllib3
from django.test import Client, TestCase
from django.utils import translation
from urllib3._request_methods import RequestMethods

URL = "http://testserver"


class Server:
    """Answers HTTP requests with Django's request handler, in process."""

    url = URL

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    def send(self, method: str, url: str, body=None, headers=None) -> urllib3.HTTPResponse:
        parts = urlsplit(url)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = dict(headers or {})
        headers.setdefault("Host", parts.netloc)
        content_type = _pop(headers, "Content-Type")
        _pop(headers, "Content-Length")  # recomputed from the body
        data = _body_bytes(body)
        extra = {"SERVER_NAME": parts.hostname or "testserver"}
        if parts.port:
            extra["SERVER_PORT"] = str(parts.port)
        if content_type is not None:
            extra["CONTENT_TYPE"] = content_type
        self.client.cookies = SimpleCookie()  # only the cookies the caller sends
        language = translation.get_language()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = self.client.generic(
                    method.upper(),
                    path,
                    data=data,
                    content_type=content_type or "application/octet-stream",
                    headers=headers,
                    **extra,
                )
        finally:
            if language:
                translation.activate(language)
            else:
                translation.deactivate_all()
        return _urllib3_response(response, method)


def _pop(headers: dict, name: str):
    for key in list(headers):
        if key.lower() == name.lower():
            return headers.pop(key)
    return None


def _body_bytes(body) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()  # as urllib3 sends a str body
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if hasattr(body, "read"):
        return _body_bytes(body.read())
    return b"".join(_body_bytes(chunk) for chunk in body)


def _urllib3_response(response, method: str) -> urllib3.HTTPResponse:
    # The test client closes the response itself, with the signal that would close the
    # test's database connection disconnected: closing it again here would not.
    if response.streaming:
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    headers = urllib3.HTTPHeaderDict()
    for name, value in response.items():
        headers.add(name, value)
    for cookie in response.cookies.values():
        headers.add("Set-Cookie", cookie.output(header="").strip())
    if method.upper() != "HEAD" and "Content-Length" not in headers:
        headers["Content-Length"] = str(len(content))
    return urllib3.HTTPResponse(
        body=io.BytesIO(content),
        headers=headers,
        status=response.status_code,
        reason=response.reason_phrase,
        version=11,
        version_string="HTTP/1.1",
        preload_content=False,
        decode_content=True,
        request_method=method.upper(),
    )


class PoolManager(RequestMethods):
    """urllib3's request encoding, Django's in-process answer."""

    def __init__(self, server: Server):
        super().__init__()
        self.server = server

    def urlopen(self, method, url, body=None, headers=None, preload_content=True, **kw):
        response = self.server.send(method, url, body, {**self.headers, **(headers or {})})
        if preload_content:
            response.read(cache_content=True)
        return response

    def clear(self):
        pass


def hubspot_client(access_token: str, server: Server | None = None, **options):
    """The real `hubspot.HubSpot` client whose every API sends through `server`."""
    from hubspot import HubSpot
    from hubspot.discovery.discovery_base import DiscoveryBase

    server = server or Server()

    def api_factory(api_client_package, api_name, config):
        api = DiscoveryBase._default_api_factory(api_client_package, api_name, config)
        api.api_client.rest_client.pool_manager = PoolManager(server)
        return api

    return HubSpot(access_token=access_token, host=server.url, api_factory=api_factory, **options)


def requests_session(server: Server | None = None):
    """A `requests.Session` whose requests to `server.url` are answered in process."""
    import requests
    from requests.adapters import HTTPAdapter

    server = server or Server()

    class Adapter(HTTPAdapter):
        def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
            response = server.send(request.method, request.url, request.body, request.headers)
            return self.build_response(request, response)

    session = requests.Session()
    session.mount(server.url, Adapter())
    return session
