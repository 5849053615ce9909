"""Helpers of ``bench/generate.py``: word lists and text builders (``words``, ``texts``), the
COPY loader with id, index-number and event bookkeeping (``loader``), the registry's rules
evaluated in bulk (``rules``), one module per registry (``core``, ``enforcement``,
``decisions``, ``fiscal``) and the audit chain (``chain``)."""
