"""Request lines reach the log without tracking secrets or OAuth codes."""

from __future__ import annotations

import logging

from app.core.logs import RedactSecrets, redact


def test_tracking_secret_and_oauth_code_are_redacted():
    line = '"GET /d/000.31.12.H26-261122-0007?t=abcDEF123_-x&lang=vi HTTP/1.1" 200 -'
    assert redact(line) == ('"GET /d/000.31.12.H26-261122-0007?t=[redacted]&lang=vi '
                            'HTTP/1.1" 200 -')
    assert redact("/auth/callback?code=xyz&state=abc&iss=http://p") == (
        "/auth/callback?code=[redacted]&state=[redacted]&iss=http://p")
    assert redact("/procedures?q=khai+sinh") == "/procedures?q=khai+sinh"


def test_filter_rewrites_the_arguments_of_a_werkzeug_record(app):
    logger = logging.getLogger("werkzeug")
    redactor = next(f for f in logger.filters if isinstance(f, RedactSecrets))
    record = logger.makeRecord("werkzeug", logging.INFO, __file__, 1, '%s - - "%s" %s',
                               ("127.0.0.1", "GET /d/X?t=s3cret HTTP/1.1", "200"), None)
    assert redactor.filter(record)
    assert record.getMessage() == '127.0.0.1 - - "GET /d/X?t=[redacted] HTTP/1.1" 200'


def test_gunicorn_access_lines_keep_their_named_fields_and_lose_the_secret(app):
    logger = logging.getLogger("gunicorn.access")
    redactor = next(f for f in logger.filters if isinstance(f, RedactSecrets))
    # gunicorn logs each request as one mapping of atoms for its `%(name)s` format.
    record = logger.makeRecord("gunicorn.access", logging.INFO, __file__, 1,
                               '%(h)s "%(r)s" %(s)s',
                               ({"h": "127.0.0.1", "r": "GET /d/X?t=s3cret HTTP/1.0",
                                 "s": "200"},), None)
    assert redactor.filter(record)
    assert record.getMessage() == '127.0.0.1 "GET /d/X?t=[redacted] HTTP/1.0" 200'
