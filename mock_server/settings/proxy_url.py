"""Which URLs `--proxy` can take as its base: one rule for the settings' check and the proxy's client."""

from __future__ import annotations

from urllib.parse import urlsplit


def proxy_url_problem(url: str) -> str | None:
    """What makes `url` unusable as `--proxy`'s base URL, in one line; None when it can be used.

    The operation's path is appended to it, so a query or a fragment would be lost or misplace it; a user or
    password would be shown in every error the proxy answers; port 0 is nowhere.
    """
    try:
        parts = urlsplit(url)
        if "@" in parts.netloc:
            return "--proxy: the URL must carry no user or password (errors would show them); use --upstream-key-env"
        port = parts.port
    except ValueError as error:
        return f"--proxy: {url!r} is not a usable URL ({error})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"--proxy: an http:// or https:// URL with a host is needed, not {url!r}"
    if "?" in url or "#" in url:
        return f"--proxy: the URL must have no query or fragment (the operation's path is appended to it): {url!r}"
    if port == 0:
        return f"--proxy: port 0 is no port to connect to, in {url!r}"
    return None
