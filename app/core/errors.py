"""Errors: JSON under /api/, friendly Vietnamese pages elsewhere."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.core.parsing import ParseError

# The database could not be reached or went away mid-request (a restart, a failover): the
# request's transaction is lost, so nothing of it was kept; the engine's pool_pre_ping gives
# the next request a fresh connection once the server is back.
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 10


class DomainError(Exception):
    """A rule of the domain said no; the message is for the user (already translated)."""

    status_code = 409

    def __init__(self, message: str, *, code: str = "conflict") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Yêu cầu không hợp lệ"), _("Thông tin gửi lên chưa đúng. Vui lòng thử lại.")),
        403: (_("Không có quyền truy cập"), _("Bạn không có quyền xem trang này.")),
        404: (_("Không tìm thấy trang"),
              _("Trang bạn tìm không có hoặc đã được chuyển đi. Hãy kiểm tra lại địa chỉ.")),
        405: (_("Thao tác không được phép"), _("Trang này không nhận thao tác đó.")),
        413: (_("Tệp quá lớn"), _("Tệp gửi lên vượt quá dung lượng cho phép.")),
        429: (_("Quá nhiều yêu cầu"),
              _("Bạn thao tác quá nhanh. Vui lòng đợi một phút rồi thử lại.")),
        500: (_("Có lỗi xảy ra"),
              _("Hệ thống gặp sự cố. Vui lòng thử lại sau ít phút hoặc gọi đường dây nóng.")),
    }


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int, title: str | None = None, detail: str | None = None,
                 code: str | None = None):  # noqa: ANN201  (a Flask response tuple)
    default_title, default_detail = _messages().get(status, _messages()[500])
    title, detail = title or default_title, detail or default_detail
    if _wants_json():
        return jsonify(error={"status": status, "code": code or str(status),
                              "title": title, "detail": detail}), status
    return render_template("errors/error.html", status=status, title=title,
                           detail=detail), status


def database_unavailable(err: Exception) -> Response:
    """503 with a Vietnamese page (or the API's JSON error) and Retry-After."""
    current_app.logger.warning("database unavailable on %s %s: %s", request.method,
                               request.path, type(err.__cause__ or err).__name__)
    body, status = render_error(
        503, _("Hệ thống tạm gián đoạn"),
        _("Hệ thống đang tạm gián đoạn trong giây lát nên chưa thực hiện được yêu cầu. "
          "Vui lòng thử lại sau ít phút; gửi lại hồ sơ sẽ không tạo hồ sơ trùng."),
        code="database_unavailable")
    response = make_response(body, status)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def init_app(app: Flask) -> None:
    for error in DATABASE_DOWN:
        app.register_error_handler(error, database_unavailable)

    @app.errorhandler(CSRFError)
    def _csrf(_err: CSRFError):  # noqa: ANN202
        return render_error(400, _("Phiên làm việc đã hết hạn"),
                            _("Trang đã mở quá lâu hoặc đã bị mở lại. Vui lòng tải lại trang "
                              "rồi gửi lại; thông tin đã nhập vẫn được giữ trên máy."),
                            code="csrf")

    @app.errorhandler(DomainError)
    def _domain(err: DomainError):  # noqa: ANN202
        return render_error(err.status_code, _("Không thể thực hiện"), err.message,
                            code=err.code)

    @app.errorhandler(StaleDataError)
    def _stale(_err: StaleDataError):  # noqa: ANN202
        # Someone else changed the row between this page's load and this action.
        return render_error(409, _("Không thể thực hiện"),
                            _("Hồ sơ vừa được cán bộ cập nhật. Vui lòng tải lại trang rồi "
                              "thử lại."), code="stale")

    @app.errorhandler(ParseError)
    def _parse(err: ParseError):  # noqa: ANN202
        return render_error(400, _("Giá trị không hợp lệ"), err.message, code="bad_value")

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):  # noqa: ANN202
        status = err.code or 500
        title = None
        detail = err.description if status in (400, 403) and _custom(err) else None
        body, status = render_error(status, title, detail)
        response = app.make_response((body, status))
        # What the exception says about the answer (Allow on a 405, Retry-After, ...).
        for name, value in err.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):  # noqa: ANN202
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)


def _custom(err: HTTPException) -> bool:
    """True when the view passed its own description (abort(403, "…"))."""
    return type(err).description != err.description
