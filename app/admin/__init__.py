"""Commune administration: officers managed from the browser, and the two-person rule for
the commune's bank account."""
