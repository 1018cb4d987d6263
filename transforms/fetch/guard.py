"""The address guard: connections to private, loopback and link-local addresses are refused
(every redirect hop and every DNS answer is checked), unless the config allows them."""

from __future__ import annotations

import ipaddress

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


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


def _guarded(base: type, allow_private: bool) -> type:
    """A urllib3 connection class that checks the peer address of every new socket: the IP
    actually connected to, so DNS answers and redirect hops cannot sneak past."""

    class Guarded(base):
        def _new_conn(self):
            sock = super()._new_conn()
            peer = sock.getpeername()[0]
            if not address_allowed(peer, allow_private):
                sock.close()
                raise BlockedAddress(f"address {peer} of {self.host} is private/loopback/link-local")
            return sock

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

