"""A real OpenID Connect provider (npm oidc-provider, tests/oidc/provider.mjs) for the
sign-in tests: started once per session on 127.0.0.1, stopped at the end.

The provider matches redirect URIs exactly, so the port of the app's live server is chosen
here first: tests serve the app on `oidc_provider.app_port` (see `oidc_live_server`).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from werkzeug.serving import make_server

from tests.pg_server import free_port, stop_process

HERE = Path(__file__).parent / "oidc"
START_TIMEOUT = 60  # seconds; generous: the machine is shared


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str
    app_port: int

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"

    def settings(self, **extra: Any) -> dict[str, str]:
        """Environment variables that point the app's citizen sign-in at this provider."""
        env = {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": self.client_id,
               "OIDC_CLIENT_SECRET": self.client_secret}
        env.update(extra)
        return env


def _install() -> None:
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    from tests.conftest import need

    if not shutil.which("npm"):
        need("npm is not installed: the OpenID provider for the sign-in tests needs Node.js")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True,  # noqa: S607
                   timeout=600, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    from tests.conftest import need

    if not shutil.which("node"):
        need("node is not installed: the OpenID provider for the sign-in tests needs Node.js")
    _install()
    app_port = free_port()
    env = {**os.environ, "OIDC_PORT": "0", "OIDC_CLIENT_ID": "motcua-test",
           "OIDC_CLIENT_SECRET": "motcua-test-secret-123",
           "OIDC_REDIRECT_URIS": f"http://127.0.0.1:{app_port}/auth/callback"}
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with log.open("wb") as errors:
        proc = subprocess.Popen(["node", str(HERE / "provider.mjs")], cwd=HERE, env=env,  # noqa: S607
                                stdout=subprocess.PIPE, stderr=errors, text=True)
    ready: list[str] = []
    reader = threading.Thread(target=lambda: ready.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    line = ready[0] if ready else ""
    if not line.startswith("READY "):
        proc.kill()
        proc.wait(10)
        pytest.fail(f"the OpenID provider did not start: {log.read_text()[-2000:]}")
    try:
        yield OidcProvider(issuer=line.split()[1], client_id=env["OIDC_CLIENT_ID"],
                           client_secret=env["OIDC_CLIENT_SECRET"], app_port=app_port)
    finally:
        stop_process(proc)


@pytest.fixture
def oidc_env(oidc_provider: OidcProvider, monkeypatch: pytest.MonkeyPatch) -> OidcProvider:
    """Point apps created from now on at the provider (request it before `app`)."""
    for name, value in oidc_provider.settings().items():
        monkeypatch.setenv(name, value)
    return oidc_provider


@pytest.fixture
def oidc_live_server(oidc_env: OidcProvider, app: Any) -> Iterator[str]:
    """The app over real HTTP on the one port the provider accepts in redirect URIs."""
    server = make_server("127.0.0.1", oidc_env.app_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield oidc_env.app_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- driving the provider over HTTP (requests.Session), as a browser would --------------

_FORM_ACTION = re.compile(r'<form[^>]*\baction="([^"]+)"[^>]*\bmethod="post"', re.I)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', re.I)


def follow(session: requests.Session, response: requests.Response,
           stop_prefix: str) -> requests.Response | str:
    """Follow redirects by hand; the URL (not fetched) once one points under stop_prefix."""
    while response.is_redirect:
        target = urljoin(response.url, response.headers["Location"])
        if target.startswith(stop_prefix):
            return target
        response = session.get(target, allow_redirects=False, timeout=30)
    return response


def submit_provider_form(session: requests.Session, page: requests.Response,
                         fields: dict[str, str]) -> requests.Response:
    found = _FORM_ACTION.search(page.text)
    assert found, f"no form on the provider's page: {page.text[:500]}"
    data = {name: html.unescape(value) for name, value in _HIDDEN.findall(page.text)}
    data.update(fields)
    return session.post(urljoin(page.url, html.unescape(found.group(1))), data=data,
                        allow_redirects=False, timeout=30)


def provider_callback_url(session: requests.Session, app_url: str, login: str = "citizen-lan",
                          start: str = "/login") -> str:
    """Start sign-in at the app, sign in and consent at the provider; the callback URL the
    provider sends the browser back to (not yet opened)."""
    callback = app_url + "/auth/callback"
    step = follow(session, session.get(app_url + start, allow_redirects=False, timeout=30),
                  callback)
    if isinstance(step, str):
        return step  # still signed in at the provider: it answers at once
    assert 'name="login"' in step.text, step.text[:500]
    step = follow(session, submit_provider_form(session, step, {"login": login,
                                                                "password": "any"}), callback)
    if isinstance(step, requests.Response):  # the consent page
        step = follow(session, submit_provider_form(session, step, {}), callback)
    assert isinstance(step, str), step.text[:500]
    return step
