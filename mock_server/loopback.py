"""What counts as this machine: one rule for the admin API's `Host` check and the contract suite's politeness."""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit


@functools.lru_cache(maxsize=256)  # asked for every request's `Host`, which is nearly always the same few names
def is_loopback(host: str) -> bool:
    """`localhost` or a loopback address (`127.0.0.0/8`, `::1`, with or without IPv6 brackets).

    Other names under `.localhost` are not: RFC 6761 only asks resolvers to send them to loopback, and glibc
    without systemd-resolved asks `/etc/hosts` and then DNS, so where `api.localhost` leads depends on the
    machine. The contract suite treats a target it cannot be sure of as remote (polite), and the admin API
    refuses such a `Host`.
    """
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The name in a `Host` header, without its port or IPv6 brackets: `[::1]:4010` -> `::1`."""
    name = host_header if host_header.endswith("]") else host_header.rsplit(":", 1)[0]
    return name.strip("[]").lower()


def is_this_server(host_header: str, listening_on: str) -> bool:
    """Whether a request's `Host` names this server as its own: a loopback name or the address it listens on
    (`--host`). Any other name reached it through DNS rebinding or a proxy the developer did not set up."""
    name = host_name(host_header)
    return is_loopback(name) or name == listening_on.strip("[]").lower()


def is_loopback_url(url: str) -> bool:
    return is_loopback(urlsplit(url).hostname or "")
