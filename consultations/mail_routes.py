"""The one HTTP address mails point at outside the Streamlit pages: List-Unsubscribe's
one-click (RFC 8058). A mail client POSTs ``List-Unsubscribe=One-Click`` to it, without a
browser, a session or JavaScript — so it cannot be a Streamlit page; a GET (a person
clicking the address) goes to the page that asks first (pages/epost.py)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from . import mail
from .store import Store

PATH = "/mail/unsubscribe"


def routes(store: Callable[[], Store | None]) -> list[Route]:
    """The route, with ``store`` giving the process's open store (``None`` before the
    app's first page run opened it)."""

    async def unsubscribe(request: Request) -> Response:
        token = request.query_params.get("token", "")
        if request.method == "GET":
            return RedirectResponse(f"../{mail.CONFIRM_PAGE}?{urlencode({'avmeld': token})}", status_code=303)
        opened = store()
        if opened is None:
            return PlainTextResponse("Try again shortly.", status_code=503, headers={"Retry-After": "60"})
        found = mail.unsubscribe(opened, token)
        if found is None:
            return PlainTextResponse("Unknown link.", status_code=404)
        return PlainTextResponse("Unsubscribed.")

    return [Route(PATH, unsubscribe, methods=["GET", "POST"])]
