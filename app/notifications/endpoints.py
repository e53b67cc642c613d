"""Where a web push may go, and the HTTP session that goes nowhere else.

A push endpoint is a URL the citizen's browser chose, so the server must not POST to just
any address. The same rule applies when a phone subscribes (refused there with a 400) and
when the worker sends (a host renamed or re-resolved since):

- the host is one of the known push services (Settings.push_hosts; "*.x" matches any
  subdomain of x), over HTTPS, with no user name or password in the URL;
- the name resolves to public addresses only (ipaddress `is_global`), and the connection is
  made to exactly the address that was checked (no second lookup between check and connect),
  with the host name kept for TLS (SNI and the certificate check) and the Host header;
- no redirect is followed, the time is bounded, and at most MAX_RESPONSE_BYTES of the answer
  are read.

The tests' local push service on 127.0.0.1 gets through only because Settings.push_test_hosts
names it (plain HTTP and loopback allowed for those hosts alone); production refuses that
setting at start-up.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from app.config import Settings

# An error answer of a push service is a short text; nothing worth reading is longer.
MAX_RESPONSE_BYTES = 64 * 1024

Resolver = Callable[..., Sequence[tuple[Any, ...]]]


class EndpointRefused(Exception):
    """This push endpoint may not be contacted; the message is for the logs."""


def host_listed(host: str, patterns: Sequence[str]) -> bool:
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def check_url(url: str, settings: Settings) -> tuple[str, str, int, bool]:
    """(scheme, host, port, is_test_host) of an endpoint we may contact, or EndpointRefused."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError as exc:
        raise EndpointRefused("malformed URL") from exc
    if not host or parts.username is not None or parts.password is not None:
        raise EndpointRefused("URL without a host, or with credentials")
    test_host = not settings.production and host in settings.push_test_hosts
    if not test_host and not host_listed(host, settings.push_hosts):
        raise EndpointRefused(f"{host} is not a known push service")
    if parts.scheme != "https" and not (test_host and parts.scheme == "http"):
        raise EndpointRefused("push services are reached over HTTPS only")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), test_host


def allowed_address(text: str, *, test_host: bool) -> bool:
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if test_host and address.is_loopback:
        return True
    return address.is_global and not address.is_multicast


def resolve_checked(host: str, port: int, *, test_host: bool,
                    resolver: Resolver = socket.getaddrinfo) -> str:
    """The address to connect to: every address the name has must be public (a name that
    also points inside is refused whole), and the first is used."""
    infos = resolver(host, port, 0, socket.SOCK_STREAM)
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise EndpointRefused(f"{host} has no address")
    for address in addresses:
        if not allowed_address(address, test_host=test_host):
            raise EndpointRefused(f"{host} resolves to a non-public address")
    return addresses[0].split("%", 1)[0]


class PinnedAdapter(HTTPAdapter):
    """Connects to the checked address of the URL's host, never anything else."""

    def __init__(self, settings: Settings, resolver: Resolver = socket.getaddrinfo,
                 max_body: int = MAX_RESPONSE_BYTES) -> None:
        super().__init__(max_retries=0)
        self.settings = settings
        self.resolver = resolver
        self.max_body = max_body

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        scheme, host, port, test_host = check_url(request.url or "", self.settings)
        address = resolve_checked(host, port, test_host=test_host, resolver=self.resolver)
        request._motcua_address = address  # type: ignore[attr-defined]
        default_port = 443 if scheme == "https" else 80
        name = f"[{host}]" if ":" in host else host
        request.headers["Host"] = name if port == default_port else f"{name}:{port}"
        started = time.monotonic()
        response = super().send(request, stream=True, timeout=timeout, verify=verify,
                                cert=cert, proxies={})
        self._read_bounded(response, started, timeout)
        return response

    def build_connection_pool_key_attributes(self, request: requests.PreparedRequest,
                                             verify: Any, cert: Any = None
                                             ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert)
        address = getattr(request, "_motcua_address", None)
        if address is None:  # only send() above builds connections
            raise EndpointRefused("unchecked connection")
        hostname = host_params["host"]
        host_params["host"] = address
        if host_params["scheme"] == "https":
            # TLS speaks to the name: SNI and the certificate check use it, not the address.
            pool_kwargs["server_hostname"] = hostname
            pool_kwargs["assert_hostname"] = hostname
        return host_params, pool_kwargs

    def _read_bounded(self, response: requests.Response, started: float, timeout: Any
                      ) -> None:
        """At most max_body bytes, within the whole timeout; then the connection closes."""
        limit = sum(timeout) if isinstance(timeout, tuple) else float(timeout or 10.0)
        chunks: list[bytes] = []
        size = 0
        complete = False
        try:
            while size <= self.max_body:
                if time.monotonic() - started > limit:
                    break
                chunk = response.raw.read(min(8192, self.max_body + 1 - size),
                                          decode_content=False)
                if not chunk:
                    complete = True
                    break
                chunks.append(chunk)
                size += len(chunk)
        except Exception:  # noqa: BLE001 (a broken answer is still an answer's status)
            complete = False
        response._content = b"".join(chunks)[:self.max_body]
        response._content_consumed = True
        if complete:
            response.raw.release_conn()
        else:
            response.raw.close()  # the rest is never read: drop the connection


class PushSession(requests.Session):
    """A session that follows no redirect and uses no proxy from the environment."""

    def __init__(self, settings: Settings, resolver: Resolver = socket.getaddrinfo) -> None:
        super().__init__()
        self.trust_env = False
        self.headers["Accept-Encoding"] = "identity"  # what is read is what was sent
        adapter = PinnedAdapter(settings, resolver)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().send(request, **kwargs)

    def get_redirect_target(self, resp: requests.Response) -> None:
        return None  # a 3xx is the push service's answer, never a place to go
