"""Compliance analytics and deadline reminders for oversight (issue 10).

The core knows no registry: each registry app registers its checks and its deadline
sources (:mod:`registry.compliance.registration`) from its ``AppConfig.ready()``. Counts per
department are computed in SQL, one query per check; the record-level detail and the
reminders go through the one permission path (:class:`registry.compliance.scope.Narrowing`).
"""
