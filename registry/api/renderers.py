"""JSON answers encoded by orjson: the same bytes as DRF's ``JSONRenderer`` (compact, UTF-8,
DRF's own encoding of dates, times, decimals and lazy strings), several times faster.

Data may hold ``orjson.Fragment``: JSON already encoded by :func:`encode` (the change feed's
stored documents), sent as it is."""

import orjson
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_encoder = JSONEncoder()
# Datetimes go through DRF's encoder (it keeps milliseconds and writes UTC as "Z").
OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def encode(data):
    """The compact JSON bytes of ``data``, as the API sends them."""
    return orjson.dumps(data, default=_encoder.default, option=OPTIONS)


class JSONRenderer(DRFJSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            # Indented for a reader: DRF's encoder, over plain values (no fragments).
            plain = orjson.loads(encode(data))
            return super().render(plain, accepted_media_type, renderer_context)
        return encode(data)
