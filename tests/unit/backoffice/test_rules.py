"""Back-office rules that need no HTTP: inbox filter parsing, the apology deadline, the
slip's QR address."""

from __future__ import annotations

from datetime import date

import pytest

from app.backoffice import forms, queries
from app.core.parsing import ParseError
from app.dossiers import workflow
from app.dossiers.models import Dossier


def test_inbox_filter_drops_what_it_does_not_understand():
    flt = forms.parse_inbox_filter(
        {"queue": "nope", "procedure": "1; drop", "village": "7", "channel": "fax",
         "to": "2026-03-01", "page": "-2", "mine": "1"},
        queries.QUEUE_KEYS, "waiting")
    assert flt.queue == "waiting" and flt.procedure_id is None and flt.village_id == 7
    assert flt.channel == "" and flt.date_from is None and flt.date_to == date(2026, 3, 1)
    assert flt.page == 1 and flt.mine
    assert flt.args(page=2) == {"queue": "waiting", "village": 7, "to": "2026-03-01",
                                "mine": "1", "page": 2}


def test_inbox_filter_dates_are_parsed_with_bounds():
    # A date is a date or a clear 400 (app.core.parsing), never dropped in silence or a 500.
    for bad in ("31/02/2026", "9999-12-31", "0001-01-01"):
        with pytest.raises(ParseError):
            forms.parse_inbox_filter({"from": bad}, queries.QUEUE_KEYS, "waiting")


def test_a_search_without_a_chosen_queue_looks_everywhere():
    flt = forms.parse_inbox_filter({"q": "  Nguyễn   Văn  "}, queries.QUEUE_KEYS, "waiting")
    assert flt.queue == "all" and flt.q == "Nguyễn Văn"
    chosen = forms.parse_inbox_filter({"q": "x", "queue": "overdue"}, queries.QUEUE_KEYS,
                                      "waiting")
    assert chosen.queue == "overdue"


def test_apology_only_until_the_day_before_the_due_date():
    dossier = Dossier(due_date=date(2026, 2, 24))
    assert workflow.apology_allowed(dossier, date(2026, 2, 23))
    assert not workflow.apology_allowed(dossier, date(2026, 2, 24))
    assert not workflow.apology_allowed(Dossier(due_date=None), date(2026, 2, 1))


def test_queue_keys_are_unique_and_cover_every_open_status():
    assert len(set(queries.QUEUE_KEYS)) == len(queries.QUEUES)
    listed = {s for q in queries.QUEUES if q.key not in ("overdue", "due_soon")
              for s in q.statuses}
    assert listed == {"submitted", "received", "in_progress", "awaiting_approval",
                      "result_ready", "needs_supplement"}
