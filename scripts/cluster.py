"""`make cluster`: the production topology on this machine (tests/cluster.py) until Ctrl-C.

Prints the public URL (nginx), every part with its pid, and the demo sign-ins; on Ctrl-C
(SIGINT) or SIGTERM stops everything it started, in reverse order, and removes its folders.

    .venv/bin/python scripts/cluster.py [--port 8080]
"""

from __future__ import annotations

import argparse
import secrets
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.cluster import ClusterFailed, cluster, missing_tools  # noqa: E402


def _stop_on_signal(signum: int, _frame: FrameType | None) -> None:
    # Once: the stop must not be cut short by a second Ctrl-C (make forwards its own too).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    args = parser.parse_args()
    if missing := missing_tools():
        print("Missing (`make system-deps` and the dev venv install them):\n  "
              + "\n  ".join(missing), file=sys.stderr)
        return 1
    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    webhook_secret = secrets.token_urlsafe(24)
    print("Starting PostgreSQL (primary and replica), Redis, SeaweedFS, two app servers, "
          "two push workers and nginx…", flush=True)
    try:
        with cluster(port=args.port, PAYMENT_WEBHOOK_SECRET=webhook_secret) as running:
            for part in running.parts.values():
                print(f"  {part.name:<20} pid {part.pid:<8} {part.url}")
            logins = running.seed_output.find("Officer logins")
            print("\n" + running.seed_output[logins:].rstrip() if logins >= 0 else "")
            print(f"\nBank webhook secret (PAYMENT_WEBHOOK_SECRET): {webhook_secret}")
            print(f"Logs: {running.folder} (removed on stop)")
            print(f"\nMotcua cluster: {running.url}  (Ctrl-C stops everything)", flush=True)
            threading.Event().wait()  # until a signal raises KeyboardInterrupt
    except KeyboardInterrupt:
        print("Stopped: nothing left running.", flush=True)
    except ClusterFailed as exc:
        print(f"The cluster did not start. {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
