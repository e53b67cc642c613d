"""A stored file as a streamed HTTP answer, with the headers `send_file` gave a local file."""

from __future__ import annotations

import time
import unicodedata
from urllib.parse import quote

from flask import Response, abort

from app.dossiers.filestore import get_file_store


def send_stored(key: str, *, mimetype: str, download_name: str | None = None,
                as_attachment: bool = False) -> Response:
    """Stream the file under `key` in chunks, whichever store holds it, with Content-Type,
    Content-Length, Content-Disposition (inline unless `as_attachment`), "no-cache,
    max-age=0" and Expires (the app's cache policy may tighten them).

    404 for a missing key or one that is not ours; 503 (FileStoreUnavailable) when the store
    does not answer. The caller has checked access."""
    try:
        blob = get_file_store().read(key)
    except (FileNotFoundError, ValueError):
        abort(404)
    response = Response(blob.chunks, mimetype=mimetype, direct_passthrough=True)
    response.call_on_close(blob.close)
    response.content_length = blob.size
    if download_name is not None:
        _disposition(response, download_name, as_attachment)
    response.cache_control.no_cache = True
    response.cache_control.max_age = 0
    response.expires = int(time.time())  # type: ignore[assignment]
    return response


def _disposition(response: Response, name: str, as_attachment: bool) -> None:
    """As werkzeug's send_file writes it: an ASCII filename, plus RFC 5987 filename* when the
    name is not ASCII (Vietnamese file names)."""
    try:
        name.encode("ascii")
        names = {"filename": name}
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        names = {"filename": simple,
                 "filename*": f"UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"}
    response.headers.set("Content-Disposition", "attachment" if as_attachment else "inline",
                         **names)
