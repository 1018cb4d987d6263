"""The address guard: connections to private, loopback and link-local addresses are refused
unless the config allows them. The host is resolved here and every address checked before
any connection is made (every redirect hop and every DNS answer), so a refused address never
sees a handshake and its port's state (open, closed) does not show in the reject."""

from __future__ import annotations

import ipaddress
import socket

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import allowed_gai_family, create_connection


class BlockedAddress(Exception):
    """Raised at connect time for an address the config does not allow."""



def address_allowed(ip: str, allow_private: bool) -> bool:
    if allow_private:
        return True
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    # is_global excludes private, loopback, link-local, CGNAT, reserved and documentation ranges
    return addr.is_global and not addr.is_multicast


def checked_addresses(host: str, port: int, allow_private: bool) -> list[str]:
    """Every address `host` resolves to, each checked; raises BlockedAddress when any is
    refused (a name that answers with a private address among public ones is not trusted)."""
    host = host.strip("[]")
    infos = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(sockaddr[0] for *_, sockaddr in infos))
    refused = [ip for ip in addresses if not address_allowed(ip, allow_private)]
    if refused or not addresses:
        raise BlockedAddress(
            f"address {(refused or ['(none)'])[0]} of {host} is private/loopback/link-local"
        )
    return addresses


def _guarded(base: type, allow_private: bool) -> type:
    """A urllib3 connection class that resolves the host itself, checks every address, and
    connects only to an address it checked: no handshake ever reaches a refused address, and
    every redirect hop (a new connection) and every DNS answer is checked."""

    class Guarded(base):
        def _new_conn(self) -> socket.socket:
            if allow_private:
                return super()._new_conn()
            try:
                addresses = checked_addresses(self._dns_host, self.port, allow_private)
            except socket.gaierror as error:
                raise NameResolutionError(self.host, self, error) from error
            failure: OSError | None = None
            for ip in addresses:
                try:
                    return create_connection(
                        (ip, self.port),
                        self.timeout,
                        source_address=self.source_address,
                        socket_options=self.socket_options,
                    )
                except TimeoutError as error:
                    raise ConnectTimeoutError(
                        self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                    ) from error
                except OSError as error:
                    failure = error
            raise NewConnectionError(self, f"Failed to establish a new connection: {failure}") from failure

    return Guarded


class GuardedAdapter(HTTPAdapter):
    def __init__(self, allow_private: bool, **kwargs):
        self._allow_private = allow_private
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        http_pool = type(
            "GuardedHTTPPool",
            (HTTPConnectionPool,),
            {"ConnectionCls": _guarded(HTTPConnection, self._allow_private)},
        )
        https_pool = type(
            "GuardedHTTPSPool",
            (HTTPSConnectionPool,),
            {"ConnectionCls": _guarded(HTTPSConnection, self._allow_private)},
        )
        self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}


def find_blocked(error: BaseException) -> BlockedAddress | None:
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < 10:
        if isinstance(current, BlockedAddress):
            return current
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BlockedAddress):
                return arg
            reason = getattr(arg, "reason", None)
            if isinstance(reason, BlockedAddress):
                return reason
        current = current.__cause__ or current.__context__
        seen += 1
    return None

