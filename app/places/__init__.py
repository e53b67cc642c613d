"""Provinces, communes (agencies) and villages, and the QR posters that lead to them."""
