"""The SVG charts: well-formed, escaped, no inline style (the CSP forbids it), bars in scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.feedback import charts

NS = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    # Our own output, not untrusted input; inline SVG in HTML carries no namespace.
    text = str(markup).replace("<svg ", f'<svg xmlns="{NS[1:-1]}" ', 1)
    return ET.fromstring(text)  # noqa: S314


def test_stacked_bars_scale_to_the_tallest_and_escape_labels():
    svg = charts.stacked_bars("Hồ sơ <theo> tháng", ["1", "2", "<3>"],
                              [("b-early", [10, 0, 5]), ("b-late", [10, 0, 0])])
    assert "style=" not in svg and "<3>" not in svg
    root = _parse(svg)
    assert root.find(f"{NS}title").text == "Hồ sơ <theo> tháng"
    heights = [float(r.get("height")) for r in root.iter(f"{NS}rect")]
    # 20 is the tallest bar; the axis tops out at 20, so it fills the plot; 5 is a quarter.
    plot = charts.HEIGHT - charts.BOTTOM - charts.TOP
    assert heights == [plot / 2, plot / 2, plot / 4]


def test_line_leaves_gaps_for_months_without_ratings():
    root = _parse(charts.line("Hài lòng", ["1", "2", "3", "4"], [0.5, 1.0, None, 0.25]))
    lines = list(root.iter(f"{NS}polyline"))
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2
    assert len(list(root.iter(f"{NS}circle"))) == 3


def test_an_empty_year_draws_an_axis_and_no_bars():
    root = _parse(charts.stacked_bars("Trống", ["1"], [("b-early", [0])]))
    assert list(root.iter(f"{NS}rect")) == []
