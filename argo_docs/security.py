"""Small security helpers shared by the settings: the client address used for login throttling."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    """The address a login attempt came from. Behind our TLS proxy (ARGO_BEHIND_PROXY) it is the
    last X-Forwarded-For entry, the one the proxy itself appended; entries before it are whatever
    the client chose to send. Otherwise the socket's peer address."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")
