"""VietQR payload + inline SVG per second: cold (every code new) and cached per payment (the
status poll and page reloads of one citizen ask for the same code again).

    .venv/bin/python bench/vietqr.py [--codes 300]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.qr import qr_svg  # noqa: E402
from app.payments.vietqr import build_payload  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codes", type=int, default=300)
    args = parser.parse_args()
    n = args.codes

    start = time.perf_counter()
    for i in range(20000):
        build_payload("970405", "9999000000126", 12000 + i, f"MC261122{i:04d}")
    payload_rate = 20000 / (time.perf_counter() - start)

    start = time.perf_counter()
    for i in range(n):
        qr_svg(build_payload("970405", "9999000000126", 12000 + i, f"MC261123{i:04d}"))
    cold = n / (time.perf_counter() - start)

    start = time.perf_counter()
    for _ in range(n * 10):
        qr_svg(build_payload("970405", "9999000000126", 12000, "MC2611230000"))
    warm = n * 10 / (time.perf_counter() - start)
    print(f"payload only: {payload_rate:,.0f}/s; payload + SVG cold: {cold:,.0f}/s; "
          f"cached per payment: {warm:,.0f}/s")


if __name__ == "__main__":
    main()
