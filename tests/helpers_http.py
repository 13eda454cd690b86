"""An ASGI stand-in for Streamlit behind the app's HTTP policy (consultations/http_policy.py):
shared by the browser-binding and page-image tests."""

from __future__ import annotations


async def streamlit_shell(scope, receive, send) -> None:
    """Streamlit's HTML shell as far as headers go: it sets its own XSRF cookie."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/html"),
                (b"set-cookie", b"_streamlit_xsrf=abc; Path=/; SameSite=Lax"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"<html></html>"})
