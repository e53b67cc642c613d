"""Page weight of the village page a QR poster opens: the HTML plus every stylesheet, script,
manifest and icon it references, each gzip-compressed. Prints a table; exits 1 over budget.

Budget (issue 2): at most 30 KB gzip, at most 5 requests, no third-party request. What the
browser fetches after the page has loaded (the service worker, its precache, the manifest's
install icons) is printed too, but is not part of the page-load budget.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import seed_database, workdir  # noqa: E402

BUDGET_BYTES = 30_000  # 30 KB, counted in thousands: the stricter reading
BUDGET_REQUESTS = 5
GZIP_LEVEL = 6  # what nginx, Caddy and most CDNs use by default or close to it
HOST = "127.0.0.1:5000"
RESOURCE_RELS = {"stylesheet", "manifest", "icon", "apple-touch-icon", "preload",
                 "modulepreload", "shortcut"}


class References(HTMLParser):
    """The URLs a page makes the browser fetch while loading: link, script and img tags."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        url = ""
        if tag == "link" and RESOURCE_RELS & set(a.get("rel", "").lower().split()):
            url = a.get("href", "")
        elif tag in ("script", "img"):
            url = a.get("src", "")
        if url and not url.startswith("data:") and url not in self.urls:
            self.urls.append(url)


def _third_party(url: str) -> bool:
    netloc = urlsplit(url).netloc
    return bool(netloc) and netloc != HOST


def _row(client: object, url: str) -> tuple[str, int, int, str]:
    response = client.get(url)  # type: ignore[attr-defined]
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    body = response.data
    return url, len(body), len(gzip.compress(body, GZIP_LEVEL)), response.mimetype


def _print(rows: list[tuple[str, int, int, str]]) -> int:
    for url, raw, packed, mimetype in rows:
        print(f"  {url:<48} {mimetype:<26} {raw:>8,} B  {packed:>7,} B gzip")
    return sum(row[2] for row in rows)


def main() -> int:
    from app import create_app

    with workdir() as tmp:
        url = f"sqlite:///{tmp / 'bench.db'}"
        demo = seed_database(url, tmp / "uploads")
        app = create_app({"SETTINGS": {"database_url": url, "upload_dir": str(tmp / "uploads"),
                                       "public_base_url": f"http://{HOST}"}})
        client = app.test_client()
        page = f"/v/{demo.village}"
        first = _row(client, page)
        parser = References()
        parser.feed(client.get(page).get_data(as_text=True))
        third = [u for u in parser.urls if _third_party(u)]
        own = [urljoin(page, u) for u in parser.urls if not _third_party(u)]
        rows = [first] + [_row(client, u) for u in own]

        print(f"Village page {page} and what it loads (gzip level {GZIP_LEVEL}):")
        total = _print(rows)
        requests = len(rows) + len(third)
        print(f"  total {total:,} B gzip ({total / 1000:.1f} KB) in {requests} requests, "
              f"{len(third)} third-party")

        # After load: the service worker and what it precaches, and the install icons.
        later = ["/sw.js"]
        sw = client.get("/sw.js").get_data(as_text=True)
        match = re.search(r"const PRECACHE = (\[.*?\]);", sw)
        later += json.loads(match.group(1)) if match else []
        manifest = next((u for u in own if u.endswith(".webmanifest")), None)
        if manifest:
            later += [icon["src"] for icon in client.get(manifest).get_json(force=True)["icons"]]
        later = [u for u in dict.fromkeys(later) if u not in own]
        print("Fetched after the page has loaded (not in the page-load budget):")
        after = _print([_row(client, u) for u in later])
        print(f"  total {after:,} B gzip")

    problems = []
    if total > BUDGET_BYTES:
        problems.append(f"{total:,} B > {BUDGET_BYTES:,} B")
    if requests > BUDGET_REQUESTS:
        problems.append(f"{requests} requests > {BUDGET_REQUESTS}")
    if third:
        problems.append(f"third-party requests: {', '.join(third)}")
    if problems:
        print("OVER BUDGET: " + "; ".join(problems))
        return 1
    print(f"Within budget: <= {BUDGET_BYTES:,} B gzip, <= {BUDGET_REQUESTS} requests, "
          "no third party.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
