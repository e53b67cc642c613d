"""Electronic results: PAdES signatures made and checked per second (PKCS#12 key, P-256)
for a 1-page and a 20-page result, and the bytes of the public verification page.

    .venv/bin/python bench/result_signing.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import gzip
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfWriter  # noqa: E402

from app.places.models import Agency  # noqa: E402
from app.results.signing import Pkcs12Signer, Stamp, sign_pdf  # noqa: E402
from app.results.verification import SignatureStatus, check_signature, trust_roots  # noqa: E402
from tests.factories import certificates  # noqa: E402


def _pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page_bytes(folder: Path, signer: Pkcs12Signer, roots_file: Path) -> tuple[int, int]:
    """The verification page of one signed result: (bytes, gzip bytes)."""
    import dataclasses

    from app.extensions import db
    from app.places.demo import load_demo
    from tests.factories.apps import make_app
    from tests.factories.dossiers import dossier
    from tests.factories.officers import officer
    from tests.factories.results import issued_result

    app = make_app(f"sqlite:///{folder / 'bench.db'}", folder / "uploads")
    with app.app_context():
        db.create_all()
        load_demo()
        app.config["MOTCUA"] = dataclasses.replace(
            app.config["MOTCUA"], result_signer="pkcs12",
            result_signer_pkcs12=str(signer.path),
            result_signer_password=signer.password.decode(),
            result_trust_roots=str(roots_file))
        home = db.session.scalar(db.select(Agency).where(Agency.slug == "tanhong"))
        from app.procedures.models import Procedure

        proc = db.session.scalar(db.select(Procedure))
        found = dossier(home, proc, "result_ready")
        result = issued_result(found, officer(home, "specialist", username="bench.kq"),
                               _pdf(1))
        db.session.commit()
        public_id = result.public_id
    answer = app.test_client().get(f"/verify/{public_id}")
    assert answer.status_code == 200 and b"result-code" in answer.data, answer.status_code
    html = answer.data
    return len(html), len(gzip.compress(html, 6))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        chain = certificates.chain("UBND Xã Tản Hồng")
        signer = Pkcs12Signer(certificates.write_pkcs12(folder / "k.p12", chain, b"x"), b"x")
        roots_file = certificates.write_roots(folder / "roots.pem", chain.ca)
        roots = trust_roots(str(roots_file))
        agency = Agency(name="Xã Tản Hồng", slug="tanhong", code="B")
        stamp = Stamp(("Xã Tản Hồng", "Mã kết quả: B-KQ1"), "https://motcua.example/verify/x")
        for pages in (1, 20):
            original = _pdf(pages)
            start = time.perf_counter()
            for _ in range(args.rounds):
                signed = sign_pdf(original, signer, stamp)
            sign_rate = args.rounds / (time.perf_counter() - start)
            start = time.perf_counter()
            for _ in range(args.rounds):
                check = check_signature(signed, agency, roots)
            check_rate = args.rounds / (time.perf_counter() - start)
            assert check.status == SignatureStatus.VALID, check
            print(f"{pages:>2}-page result ({len(signed):,} bytes signed): "
                  f"sign {sign_rate:,.0f}/s, verify {check_rate:,.0f}/s")
        size, zipped = _page_bytes(folder, signer, roots_file)
        print(f"verification page: {size:,} bytes HTML, {zipped:,} bytes gzip")


if __name__ == "__main__":
    main()
