"""The registration hook through which registries contribute compliance checks and
deadline sources (the way :mod:`registry.record_types` learns about record types). Each
registry app calls :func:`register_check` and :func:`register_deadlines` from its
``AppConfig.ready()``; the compliance report, the reminders, the API and the command iterate
over what was registered."""

_checks = {}
_deadline_sources = {}


def register_check(check):
    """Add a check (a :class:`registry.compliance.checks.Check`), once per code."""
    existing = _checks.get(check.code)
    if existing is not None and type(existing) is not type(check):
        raise ValueError(f"compliance check {check.code!r} is already registered")
    _checks[check.code] = check


def checks():
    """Every registered check, in registration order."""
    return list(_checks.values())


def check(code):
    """The check registered as ``code``, or None."""
    return _checks.get(code)


def register_deadlines(source):
    """Add a deadline source (a :class:`registry.compliance.deadlines.DeadlineSource`)."""
    existing = _deadline_sources.get(source.code)
    if existing is not None and type(existing) is not type(source):
        raise ValueError(f"deadline source {source.code!r} is already registered")
    _deadline_sources[source.code] = source


def deadline_sources():
    return list(_deadline_sources.values())
