"""Extreme numbers and dates from outside: each answers 400 with a clear message, never 500.

The attack values are the ones seen to break the app: webhook amounts NaN, Infinity, 1e400,
1e20; bank timestamps in year 1 or 9999; a signature timestamp of 400 digits; officer
filters dated 9999-12-31 or 0001-01-01; the month 9999-12; a non-integer API limit.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.core import parsing
from app.payments.webhook import sign
from tests import factories as f
from tests.factories.pages import is_vietnamese
from tests.factories.payments import ACCOUNT, BIN, CASSO_TOKEN, SECRET, SEPAY_KEY, payment
from tests.factories.payments import new_dossier as dossier_for


def _says_why(response) -> str:  # noqa: ANN001
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    if response.is_json:
        shown = response.get_json()["error"]
        assert is_vietnamese(f"{shown['title']} {shown['detail']}"), text[:300]
    else:
        assert is_vietnamese(text), text[:300]
    return text


def _generic(amount: str, when: str = "2026-11-22T09:15:00+07:00") -> bytes:
    return (f'{{"id": "tx-x", "amount": {amount}, "content": "MC", '
            f'"account_number": "{ACCOUNT}", "bank_bin": "{BIN}", '
            f'"transaction_time": "{when}"}}').encode()


def _post_generic(client, body: bytes, header: str | None = None):  # noqa: ANN001, ANN202
    return client.post("/api/v1/payments/webhook", data=body, headers={
        "Content-Type": "application/json",
        "X-Motcua-Signature": header or sign(SECRET, body)})


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1e400", "1e20",
                                    "12000.5", '"12 000"', "true"])
def test_webhook_amounts_out_of_bounds_are_400(app, client, pay_world, amount):
    code = dossier_for(app, pay_world)
    response = _post_generic(client, _generic(amount))
    body = json.loads(_says_why(response))
    assert body["error"]["status"] == 400 and body["error"]["code"] in ("bad_value",
                                                                         "bad_notice")
    assert payment(app, code)["paid"] == 0


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00", "0001-01-01 00:00:00",
                                  "9999-12-31T23:59:59", "9999-12-31T23:59:59-12:00"])
def test_webhook_timestamps_in_year_1_or_9999_are_400(client, pay_world, when):
    _says_why(_post_generic(client, _generic("12000", when)))


def test_adapters_use_the_same_bounds(client, pay_world):
    casso = {"error": 0, "data": [{"id": 1, "description": "x", "amount": 1e20,
                                   "when": "0001-01-01 00:00:00"}]}
    _says_why(client.post("/api/v1/payments/casso", data=json.dumps(casso),
                          headers={"Secure-Token": CASSO_TOKEN,
                                   "Content-Type": "application/json"}))
    sepay = ('{"id": 9, "transferType": "in", "transferAmount": Infinity, '
             '"transactionDate": "2026-11-22 14:02:37"}')
    _says_why(client.post("/api/v1/payments/sepay", data=sepay, headers={
        "Authorization": f"Apikey {SEPAY_KEY}", "Content-Type": "application/json"}))


def test_signature_timestamp_of_400_digits_is_400(client, pay_world):
    body = _generic("12000")
    _says_why(_post_generic(client, body, header="t=" + "9" * 400 + ",v1=00"))


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "31/12/9999"])
def test_officer_filters_out_of_range_are_400(app, commune, day):  # noqa: F811
    desk = f.signed_in(app, commune["desk"])
    _says_why(desk.get("/officer/inbox", query_string={"queue": "all", "from": day}))
    _says_why(desk.get("/officer/inbox", query_string={"queue": "all", "to": day}))
    admin = f.signed_in(app, *commune["admin"])
    _says_why(admin.get("/officer/audit.csv", query_string={"from": day}))
    _says_why(admin.get("/officer/audit.csv", query_string={"to": day}))


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "9" * 400 + "-01"])
def test_report_month_out_of_range_is_400(app, commune, month):  # noqa: F811
    admin = f.signed_in(app, *commune["admin"])
    _says_why(admin.get("/officer/reports/monthly", query_string={"month": month}))


@pytest.mark.parametrize("year", ["9" * 400, "1e3", "2025.0"])
def test_statistics_year_must_be_a_bounded_integer(client, commune, year):  # noqa: F811
    _says_why(client.get("/api/v1/stats/tanhong", query_string={"year": year}))


@pytest.mark.parametrize("limit", ["abc", "1.5", "0", "201", "9" * 400])
def test_api_limit_must_be_an_integer_within_bounds(client, limit):
    body = json.loads(_says_why(client.get("/api/v1/procedures",
                                           query_string={"limit": limit})))
    assert body["error"]["code"] == "bad_value"


@pytest.mark.parametrize("amount", ["1e20", "100000000000000000000", "NaN", "-5", "12,5a"])
def test_office_amounts_are_bounded(app, pay_world, amount):
    code = dossier_for(app, pay_world)
    desk = app.test_client()
    f.login(desk, pay_world.desk)
    from tests.factories.pages import csrf_token

    token = csrf_token(desk.get("/track").data)
    response = desk.post(f"/officer/payments/{code}/cash", data={
        "amount": amount, "receipt_number": "BL-1", "csrf_token": token})
    _says_why(response)
    assert payment(app, code)["paid"] == 0


def test_the_parsers_state_their_bounds(app):
    with app.test_request_context():
        assert parsing.parse_amount("12000") == 12000 and parsing.parse_amount(12000.0) == 12000
        assert parsing.parse_date("22/11/2026") == date(2026, 11, 22)
        assert parsing.parse_month("2026-03") == date(2026, 3, 1)
        assert parsing.parse_int(" 42 ", minimum=1, maximum=50) == 42
        for bad in (float("nan"), float("inf"), "1e400", 10**20, "0x10", ""):
            with pytest.raises(parsing.ParseError):
                parsing.parse_amount(bad)
        for bad in ("9999-12-31", "0001-01-01", "2026-02-30", "x" * 5000):
            with pytest.raises(parsing.ParseError):
                parsing.parse_date(bad)
        with pytest.raises(parsing.ParseError):
            parsing.parse_timestamp("0001-01-01T00:00:00")
