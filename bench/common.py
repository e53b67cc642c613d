"""Shared by the benchmarks: realistic photos and PDFs, a seeded throw-away database, the app
under gunicorn on a free port, a throw-away PostgreSQL, and a valid API submission."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from PIL import Image, ImageChops, ImageDraw  # noqa: E402

from tests.pg_server import free_port, stop_process  # noqa: E402

# A citizen whose ID agrees with the birth date (Hà Nội, male, born 1990).
CITIZEN = {"applicant_name": "Nguyễn Văn Bền", "citizen_id": "001090123456",
           "birth_date": "1990-05-01", "phone": "0912345678",
           "address": "Thôn Vân Sa 2, xã Tản Hồng, Hà Nội"}


def document_photo(width: int, height: int, *, noise: float, quality: int = 92, seed: int = 0,
                   gps: bool = False) -> bytes:
    """A JPEG that compresses like a phone photo of a paper: uneven light, lines of text and
    sensor noise (`noise` is its sigma; plain gradients would compress to almost nothing)."""
    rnd = random.Random(seed)
    light = Image.radial_gradient("L").resize((width, height)).point(lambda v: 255 - v // 3)
    paper = Image.merge("RGB", [light.point(lambda v, k=k: int(v * k)) for k in (0.97, 0.94, 0.86)])
    draw = ImageDraw.Draw(paper)
    line = max(8, height // 60)
    for y in range(height // 10, height - height // 10, line * 2):
        x = width // 10
        while x < width - width // 10:
            word = rnd.randint(line, line * 5)
            draw.rectangle([x, y, min(x + word, width - width // 10), y + line], fill=(40, 40, 60))
            x += word + line
    grain = Image.merge("RGB", [Image.effect_noise((width, height), noise) for _ in range(3)])
    photo = ImageChops.add(paper, grain, 1.0, -128)
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    if gps:
        exif[0x8825] = {1: "N", 2: (21.0, 8.0, 30.0), 3: "E", 4: (105.0, 25.0, 12.0)}
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def incompressible_pdf(min_bytes: int) -> bytes:
    """A valid PDF of at least `min_bytes`: pages of pure noise stored as JPEG images, so
    nothing on the way can shrink it."""
    def noise_page() -> Image.Image:
        return Image.merge("RGB", [Image.effect_noise((1240, 877), 90) for _ in range(3)])

    def pdf(pages: list[Image.Image]) -> bytes:
        out = io.BytesIO()
        pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], quality=95)
        return out.getvalue()

    per_page = len(pdf([noise_page()]))
    pages = [noise_page() for _ in range(-(-min_bytes // per_page))]
    body = pdf(pages)
    while len(body) < min_bytes:
        pages.append(noise_page())
        body = pdf(pages)
    return body


@dataclass
class Demo:
    """What a submission needs from the seeded demo."""

    procedure: str
    agency: str
    village: str
    requirements: list[int]  # the mandatory uploadable documents' ids
    answers: dict[str, Any] = field(default_factory=dict)
    fields: list[dict[str, Any]] = field(default_factory=list)  # the procedure's own fields


def valid_answers(form_fields: list[dict[str, Any]]) -> dict[str, Any]:
    """A value each of the procedure's own fields accepts."""
    answers: dict[str, Any] = {}
    for spec in form_fields:
        kind = spec.get("type")
        if kind == "date":
            answers[spec["name"]] = "2020-01-15"
        elif kind == "choice":
            answers[spec["name"]] = spec["choices"][0]
        elif kind == "number":
            answers[spec["name"]] = spec.get("min") or 1
        elif kind == "checkbox":
            answers[spec["name"]] = bool(spec.get("required"))
        else:
            answers[spec["name"]] = "Nguyễn Thị Mai"
    return answers


def seed_database(database_url: str, upload_dir: Path, procedure_code: str = "1.004884"
                  ) -> Demo:
    """Create the schema on an empty database, load the demo, describe one online procedure.

    Refuses a database that already has tables: a bench never writes into real data.
    """
    from sqlalchemy import inspect, select

    from app import create_app
    from app.extensions import db
    from app.places.demo import load_demo
    from app.procedures.models import Procedure

    app = create_app({"SETTINGS": {"database_url": database_url, "upload_dir": str(upload_dir)}})
    with app.app_context():
        if inspect(db.engine).get_table_names():
            raise SystemExit(f"{database_url}: not an empty database; give the bench its own")
        db.create_all()
        result = load_demo()
        db.session.commit()
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == procedure_code))
        assert procedure is not None and procedure.accepts_online, procedure_code
        village = result.villages[0]
        demo = Demo(procedure=procedure.code, agency=village.agency.slug, village=village.code,
                    requirements=[d.id for d in procedure.documents
                                  if d.uploadable and d.mandatory],
                    answers=valid_answers(procedure.form_fields),
                    fields=list(procedure.form_fields))
        db.session.remove()
        db.engine.dispose()
    return demo


def drop_schema(database_url: str, upload_dir: Path) -> None:
    """Leave a database given with --database-url as empty as it came."""
    from app import create_app
    from app.extensions import db

    app = create_app({"SETTINGS": {"database_url": database_url, "upload_dir": str(upload_dir)}})
    with app.app_context():
        db.drop_all()
        db.session.remove()
        db.engine.dispose()


@contextlib.contextmanager
def database(given_url: str | None, backend: str, folder: Path) -> Iterator[str]:
    """The bench's own database: `given_url` (emptied again afterwards), else a SQLite file in
    `folder` or a throw-away PostgreSQL server."""
    if given_url:
        url = given_url
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        try:
            yield url
        finally:
            drop_schema(url, folder)
    elif backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
    else:
        with postgres() as url:
            yield url


def api_submission(demo: Demo, files: list[tuple[int, str, bytes, str]]
                   ) -> list[tuple[str, tuple[str | None, str | bytes, str]]]:
    """The multipart parts of `POST /api/v1/dossiers`, as `requests`' `files=` takes them:
    the JSON `dossier` part, then one part per (requirement id, name, bytes, content type)."""
    payload = {"procedure_code": demo.procedure, "agency": demo.agency, "village": demo.village,
               "applicant": {"name": CITIZEN["applicant_name"],
                             "citizen_id": CITIZEN["citizen_id"],
                             "birth_date": CITIZEN["birth_date"], "phone": CITIZEN["phone"],
                             "address": CITIZEN["address"]},
               "answers": demo.answers, "consent": True}
    parts: list[tuple[str, tuple[str | None, str | bytes, str]]] = [
        ("dossier", (None, json.dumps(payload, ensure_ascii=False), "application/json"))]
    for requirement, name, body, content_type in files:
        parts.append((f"doc-{requirement}", (name, body, content_type)))
    return parts


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A throw-away PostgreSQL on 127.0.0.1 (the test suite's own starter)."""
    from tests import pg_server

    server = pg_server.start()
    try:
        yield server.url
    finally:
        server.stop()


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def bench_app() -> Any:
    """gunicorn's entry: the app from the environment, without the per-client rate limits (a
    bench is one client sending what a whole district would)."""
    from app import create_app

    return create_app({"RATELIMIT_ENABLED": False})


@dataclass
class Gunicorn:
    process: subprocess.Popen[bytes]
    url: str

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int, threads: int = 1,
             worker_class: str = "gthread", app: str = "bench.common:bench_app()"
             ) -> Iterator[Gunicorn]:
    """`app` (the Motcua app by default) under gunicorn on a free port; stopped (by its own
    pid) afterwards. Any other app must answer GET /healthz with 200."""
    port = free_port()
    full_env = {**os.environ, "MOTCUA_ENV": "development", "SECRET_KEY": "bench-secret",
                **env}
    cmd = [str(REPO / ".venv" / "bin" / "gunicorn"), "--chdir", str(REPO),
           "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
           "--worker-class", worker_class, "--timeout", "120", "--log-level", "warning",
           app]
    process = subprocess.Popen(cmd, env=full_env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield Gunicorn(process, url)
    finally:
        stop_process(process, timeout=15)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]
