"""Where a webhook may point: public HTTPS endpoints only, so a customer cannot make the bank call into
its own network (server-side request forgery).

The host must resolve, and every address it resolves to must be public. Checked at registration and
again before each attempt (a name can be re-pointed after registration). In local mode (the dev mesh)
loopback addresses are allowed, so that a developer's receiver on 127.0.0.1 works.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class UnsafeDestination(ValueError):
    """The URL is not an allowed webhook destination; the message says why."""


def parse(url: str) -> tuple[str, int]:
    """The host and port of an https URL without user info; raises UnsafeDestination otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError as error:
        raise UnsafeDestination(f"not a valid URL: {error}") from None
    if parts.scheme != "https":
        raise UnsafeDestination("the URL must use https")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination("the URL must not contain user info")
    if not parts.hostname:
        raise UnsafeDestination("the URL has no host")
    return parts.hostname, port


def check_address(address: str, *, allow_loopback: bool) -> None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.is_loopback and allow_loopback:
        return
    if not ip.is_global or ip.is_multicast:
        raise UnsafeDestination(f"the host resolves to a non-public address ({ip})")


async def check(url: str, *, allow_loopback: bool, timeout: float = 5.0) -> None:
    """Raise UnsafeDestination unless `url` is https and its host resolves to allowed addresses only."""
    host, port = parse(url)
    try:
        async with asyncio.timeout(timeout):
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        raise UnsafeDestination(f"the host {host} does not resolve") from None
    for *_, sockaddr in infos:
        check_address(str(sockaddr[0]), allow_loopback=allow_loopback)
