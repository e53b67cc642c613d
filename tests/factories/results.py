"""Electronic results issued straight through the service (the HTTP path is tested in
tests/functional/test_results.py)."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from app.accounts.models import Officer
from app.dossiers.models import Dossier
from app.dossiers.uploads import CleanUpload
from app.results.models import ResultDocument
from app.results.services import issue_result
from tests.factories.files import pypdf_document


def issued_result(found: Dossier, officer: Officer, data: bytes | None = None
                  ) -> ResultDocument:
    """A result PDF issued for `found` by `officer` (signed when the app has a signer)."""
    data = data if data is not None else pypdf_document(1)
    fd, name = tempfile.mkstemp(suffix=".pdf")
    path = Path(name)
    with open(fd, "wb") as out:
        out.write(data)
    upload = CleanUpload(path, "application/pdf", "pdf", len(data),
                         hashlib.sha256(data).hexdigest(), "ket-qua.pdf")
    try:
        return issue_result(found, upload, officer)
    finally:
        upload.discard()
