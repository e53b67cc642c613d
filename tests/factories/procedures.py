"""Procedures offered by communes."""

from __future__ import annotations

from app.extensions import db
from app.places.models import Agency
from app.procedures.models import Procedure, ProcedureDocument


def procedure(agencies: list[Agency], code: str = "1.000001", days: int = 3,
              name: str = "Xác nhận tình trạng hôn nhân", field: str = "Hộ tịch") -> Procedure:
    found = Procedure(code=code, name=name, field=field, time_limit_days=days,
                      online_level="full", form_fields=[
                          {"name": "purpose", "label": "Mục đích sử dụng", "type": "text"},
                          {"name": "married_before", "label": "Đã từng kết hôn",
                           "type": "checkbox"}])
    found.documents = [
        ProcedureDocument(position=1, name="Tờ khai theo mẫu"),
        ProcedureDocument(position=2, name="Bản sao căn cước"),
    ]
    found.agencies = list(agencies)
    db.session.add(found)
    db.session.flush()
    return found
