"""The registration hook through which registries tell the core about their record types.

Each registry app calls :func:`register` from its ``AppConfig.ready()`` (the way the admin
learns about models); the API router, and later the change feed, exports and compliance
reports, iterate over what was registered. The core itself imports no registry.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordType:
    prefix: str  # URL prefix under /api/v1/, e.g. "decisions"
    viewset: type


_registered: dict[str, RecordType] = {}


def register(prefix, viewset):
    if prefix in _registered and _registered[prefix].viewset is not viewset:
        raise ValueError(f"API prefix {prefix!r} is already registered")
    _registered[prefix] = RecordType(prefix, viewset)


def registered():
    return list(_registered.values())
