"""Benchmark: the bytes a citizen sends for a dossier with three 12 MP phone photos, with the
phone-side downscaling (the real app/static/js/upload-form.js in headless Chromium) and without it
(the same form with JavaScript off: the plain multipart post). Goal: at least 5× less.

    .venv/bin/python bench/photo_bytes.py

The body size is read on the server (the request's Content-Length as the app receives it):
Playwright's `request.post_data_buffer` leaves out file parts in Chromium, so it would
count only the text fields.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import common
from werkzeug.serving import make_server

GOAL = 5.0
CHROMIUM = "/usr/bin/chromium"


def fill_form(page: Any, demo: common.Demo, photos: list[bytes]) -> None:
    page.goto(f"/procedures/{demo.procedure}/apply?village={demo.village}")
    for name, value in common.CITIZEN.items():
        page.fill(f"[name={name}]", value)
    for spec in demo.fields:
        selector, value = f"[name='answer-{spec['name']}']", demo.answers[spec["name"]]
        if spec.get("type") == "choice":
            page.select_option(selector, value)
        elif spec.get("type") == "checkbox":
            if value:
                page.check(selector)
        else:
            page.fill(selector, str(value))
    page.check("[name=consent]")
    first, last = demo.requirements[0], demo.requirements[-1]
    # Two pages of the first paper from the gallery, the second paper from the camera.
    page.set_input_files(f"input[name='doc-{first}']", files=[
        {"name": f"IMG_000{i}.jpg", "mimeType": "image/jpeg", "buffer": photos[i]}
        for i in (0, 1)])
    page.set_input_files(f"input[name='doc-{last}']", files=[
        {"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": photos[2]}])


def send(browser: Any, base_url: str, demo: common.Demo, photos: list[bytes], *,
         javascript: bool, bodies: list[int]) -> int:
    """Fill and send the form once; returns the body size the server received."""
    context = browser.new_context(base_url=base_url, java_script_enabled=javascript)
    try:
        page = context.new_page()
        fill_form(page, demo, photos)
        if javascript:
            # The photos are downscaled as soon as they are chosen; wait for all three.
            page.wait_for_function("() => document.querySelectorAll('.apply-thumbs img')"
                                   ".length === 3", timeout=60000)
        before = len(bodies)
        page.click("[data-submit]")
        page.wait_for_url("**/submitted?t=*", timeout=120000)
        assert len(bodies) == before + 1, "exactly one POST per dossier"
        return bodies[-1]
    finally:
        context.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    from app import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    started = time.perf_counter()
    photos = [common.document_photo(4000, 3000, noise=8, quality=92, seed=i, gps=True)
              for i in range(3)]
    generated = time.perf_counter() - started
    with common.workdir() as folder:
        url = f"sqlite:///{folder / 'bench.db'}"
        demo = common.seed_database(url, folder / "uploads")
        app = create_app({"RATELIMIT_ENABLED": False, "SETTINGS": {
            "database_url": url, "upload_dir": str(folder / "uploads")}})
        bodies: list[int] = []

        def measuring(environ: dict[str, Any], start_response: Any) -> Any:
            if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].endswith("/apply"):
                bodies.append(int(environ.get("CONTENT_LENGTH") or 0))
            return app(environ, start_response)

        server = make_server("127.0.0.1", 0, measuring, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base_url = f"http://127.0.0.1:{server.server_port}"
        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-gpu"])
        try:
            raw = send(browser, base_url, demo, photos, javascript=False, bodies=bodies)
            small = send(browser, base_url, demo, photos, javascript=True, bodies=bodies)
        finally:
            browser.close()
            pw.stop()
            server.shutdown()
            thread.join(5)
    originals = sum(len(p) for p in photos)
    print(f"three 4000×3000 phone photos: {originals / 2**20:.2f} MB "
          f"({', '.join(f'{len(p) / 2**20:.2f}' for p in photos)} MB; made in {generated:.1f} s)")
    print(f"request body without phone-side downscaling (JavaScript off): {raw / 2**20:.2f} MB")
    print(f"request body with apply.js downscaling (≤1600 px, JPEG 0.8):   {small / 2**10:.0f} KB")
    ratio = raw / small
    print(f"ratio: {ratio:.1f}× less (goal ≥ {GOAL:.0f}×: {'met' if ratio >= GOAL else 'NOT met'})")


if __name__ == "__main__":
    main()
