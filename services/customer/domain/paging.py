"""Signed page tokens: moved to the shared runtime (services.runtime.paging) so every service uses one."""

from services.runtime.paging import InvalidPageToken, fingerprint, issue, read

__all__ = ["InvalidPageToken", "fingerprint", "issue", "read"]
