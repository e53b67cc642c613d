"""Keep secrets out of logs: tracking secrets and OAuth codes travel in query strings, and
the development server logs every request line."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

SECRET_PARAMS = re.compile(r"([?&](?:t|code|state|token|session_state)=)[^&\s\"]+")


def redact(text: str) -> str:
    return SECRET_PARAMS.sub(r"\1[redacted]", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, Mapping):
            # gunicorn's access log formats `%(r)s`-style atoms from one mapping: keep it one.
            record.args = {k: redact(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        record.msg = redact(record.msg) if isinstance(record.msg, str) else record.msg
        return True


def init_app() -> None:
    """Attach the filter to the request loggers (idempotent: one filter per logger)."""
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
