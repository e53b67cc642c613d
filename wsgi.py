"""WSGI entry point: gunicorn 'wsgi:app', flask --app wsgi."""

import os

from app import create_app

app = create_app()

# `make run` (one process, the embedded mode) delivers web push from a thread; production runs
# `flask --app wsgi worker` as its own process instead. Never set for tests or gunicorn.
if os.environ.get("MOTCUA_PUSH_WORKER") == "thread":
    from app.notifications.worker import start_thread

    start_thread(app)
