"""Web push figures: notifications per second one worker delivers to the local decrypting
push service, beside the encrypt-only rate in the same run; and the time from an officer's
action to the plaintext arriving, p50/p95, with the worker idle (woken in process, and as a
separate `flask worker`-style process that polls every 200 ms).

    .venv/bin/python bench/push.py [--n 1000] [--backend sqlite|postgresql] [--samples 40]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import database, percentile, workdir  # noqa: E402


class RemoteService:
    """The local push service in a child process (its decryption must not share the
    worker's GIL), driven over a pipe."""

    def __init__(self) -> None:
        import multiprocessing as mp

        self.conn, child = mp.Pipe()
        self.process = mp.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        self.origin = self.conn.recv()

    def call(self, *request: object) -> object:
        self.conn.send(request)
        return self.conn.recv()

    def stop(self) -> None:
        self.call("stop")
        self.process.join(5)


def _serve(conn) -> None:  # noqa: ANN001
    from tests.push_service import PushService

    service = PushService().start()
    conn.send(service.origin)
    while True:
        command, *rest = conn.recv()
        if command == "new":
            conn.send([service.new_subscriber(rest[0]).subscription() for _ in range(rest[1])])
        elif command == "count":
            conn.send((len(service.received), len(service.rejected)))
        elif command == "wait":
            got = service.wait_for(rest[0], timeout=10)
            conn.send(got[rest[0] - 1].at if len(got) >= rest[0] else None)
        else:
            service.stop()
            conn.send(None)
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--senders", type=int, default=16, help="pushes in flight at once")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--throughput-only", action="store_true")
    args = parser.parse_args()

    from pywebpush import WebPusher

    from app import create_app
    from app.dossiers.models import Dossier
    from app.dossiers.workflow import Actor, apply
    from app.extensions import db
    from app.notifications import outbox, services
    from app.notifications.models import Notification
    from app.notifications.vapid import generate_private_key, get_vapid, public_key
    from app.notifications.worker import Policy, Worker, push_body
    from tests import factories as f

    with workdir() as folder, database(args.database_url, args.backend, folder) as url:
        app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "SETTINGS": {
            "database_url": url, "upload_dir": str(folder / "uploads"),
            "secret_key": "bench", "vapid_private_key": generate_private_key(),
            "push_test_hosts": ("127.0.0.1",)}})
        service = RemoteService()
        with app.app_context():
            db.drop_all()
            db.create_all()
            home = f.agency("xa-bench", "Xã Bench", "000.99.99.H99")
            proc = f.procedure([home])
            desk = f.officer(home, "receiving")
            key = public_key(app)
            dossier_ids = []
            phones = service.call("new", key, args.n + args.samples)
            for phone in phones:
                dossier = f.dossier(home, proc)
                services.subscribe(services.parse_subscription(phone, app.config["MOTCUA"]),
                                   [dossier])
                dossier_ids.append(dossier.id)
            db.session.commit()
            desk_id = desk.id

            # --- throughput: n notifications, one per dossier, all due at once ----------
            bulk = dossier_ids[:args.n]
            for dossier_id in bulk:
                dossier = db.session.get(Dossier, dossier_id)
                outbox.enqueue(dossier, "received", data={"due_date": "2026-03-09"})
            db.session.commit()
            rows = db.session.scalars(db.select(Notification).order_by(Notification.id)).all()
            bodies = [push_body(n) for n in rows]
            subs = phones[:args.n]
            vapid = get_vapid(app)
            started = time.perf_counter()
            for sub, body in zip(subs, bodies, strict=True):
                WebPusher(sub).encode(body.encode(), "aes128gcm")
                vapid.sign({"sub": "mailto:bench@motcua.local", "aud": service.origin,
                            "exp": int(time.time()) + 3600})
            encrypt_rate = args.n / (time.perf_counter() - started)
            db.session.remove()

        worker = Worker(app, Policy(batch=args.batch, senders=args.senders))
        started = time.perf_counter()
        with app.app_context():
            while worker.run_once():
                pass
        elapsed = time.perf_counter() - started
        received, rejected = service.call("count")
        assert received == args.n and not rejected, f"{received} of {args.n}, {rejected} refused"
        send_rate = args.n / elapsed
        print(f"push throughput ({args.backend}, {args.n} notifications, one worker, "
              f"decrypting receiver): {send_rate:.0f}/s; encrypt+sign only: "
              f"{encrypt_rate:.0f}/s; ratio {send_rate / encrypt_rate:.2f}")

        if args.throughput_only:
            service.stop()
            return

        # --- latency: officer action -> plaintext at the push service -----------------
        def latency(label: str, start_worker, stop_worker) -> None:  # noqa: ANN001
            stop = start_worker()
            samples = []
            try:
                time.sleep(0.5)  # the worker is idle when the officer acts
                for i in range(args.samples // 2):
                    dossier_id = dossier_ids[args.n + i + (args.samples // 2 if label else 0)]
                    before = service.call("count")[0]
                    with app.app_context():
                        officer = db.session.get(f.Officer, desk_id)
                        dossier = db.session.get(Dossier, dossier_id)
                        acted = time.time()
                        apply(dossier, "receive", Actor.for_officer(officer))
                        db.session.commit()
                        db.session.remove()
                    arrived = service.call("wait", before + 1)
                    samples.append(arrived - acted)
                    time.sleep(0.3 + (i % 5) * 0.05)  # idle again, at a varying poll phase
            finally:
                stop_worker(stop)
            print(f"action -> plaintext, {label or 'worker thread woken by the commit'}: "
                  f"p50 {percentile(samples, 0.5) * 1000:.0f} ms, "
                  f"p95 {percentile(samples, 0.95) * 1000:.0f} ms ({len(samples)} actions)")

        def thread_start() -> threading.Event:
            stop = threading.Event()
            threading.Thread(target=Worker(app).run, args=(stop, 0.2), daemon=True).start()
            return stop

        def thread_stop(stop: threading.Event) -> None:
            stop.set()
            outbox.WAKE.set()
            time.sleep(0.3)

        class NoWake(threading.Event):
            """What a separate worker process sees: no in-process wake-up, only polling."""

            def set(self) -> None:
                pass

        def polling_start() -> threading.Event:
            outbox.WAKE = NoWake()
            return thread_start()

        def polling_stop(stop: threading.Event) -> None:
            stop.set()
            time.sleep(0.3)
            outbox.WAKE = threading.Event()

        latency("", thread_start, thread_stop)
        latency("worker polling every 200 ms (as a separate process)", polling_start,
                polling_stop)
        service.stop()


if __name__ == "__main__":
    main()
