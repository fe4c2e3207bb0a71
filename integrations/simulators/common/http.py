"""Small WSGI helpers: read a request body, answer with a body, answer with JSON."""

import json
from email.utils import formatdate
from typing import Any

HTTP_ERRORS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    **HTTP_ERRORS,
}


def read_body(environ: dict[str, Any]) -> bytes:
    """The request body (empty when there is no valid Content-Length)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def base_url(environ: dict[str, Any]) -> str:
    """`http://host:port` as the client addressed the server."""
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"http://{host}"


def respond(
    start_response: Any,
    status: int,
    body: bytes,
    content_type: str = "text/xml; charset=UTF-8",
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    """Start the response with a Content-Length and a Date (clients read the server's clock from it)."""
    start_response(
        f"{status} {REASONS.get(status, 'OK')}",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Date", formatdate(usegmt=True)),
            *(headers or []),
        ],
    )
    return [body]


def json_response(
    start_response: Any,
    status: int,
    payload: Any,
    content_type: str = "application/json",
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    return respond(start_response, status, json.dumps(payload).encode(), content_type, headers)
