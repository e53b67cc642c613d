"""Builders for the tests, one module per thing built; fixtures that use them live in
tests/conftest.py. No test module imports another test module: shared code lives here.

`from tests import factories as f` gives the back-office builders in one name:
`f.agency`, `f.procedure`, `f.officer`, `f.dossier`, `f.attach_image`, `f.login`, ...
"""

from tests.factories.apps import use_file_store
from tests.factories.dossiers import (
    COLLECTED_BY_RELATIVE,
    SECRET,
    attach_image,
    desk_and_neighbour,
    dossier,
    stored_dossier,
)
from tests.factories.files import jpeg, pdf, png_bytes
from tests.factories.officers import (
    PASSWORD,
    action_form,
    login,
    officer,
    password_hash,
    sign_in,
    signed_in,
)
from tests.factories.pages import csrf_token
from tests.factories.places import agency
from tests.factories.procedures import procedure

__all__ = ["COLLECTED_BY_RELATIVE", "PASSWORD", "SECRET", "action_form", "agency",
           "attach_image", "csrf_token", "desk_and_neighbour",
           "dossier", "jpeg", "login", "officer", "password_hash", "pdf", "png_bytes",
           "procedure", "sign_in", "signed_in", "stored_dossier", "use_file_store"]
