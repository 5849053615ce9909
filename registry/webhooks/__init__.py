"""Signed webhooks: administrators subscribe a URL to public events of the change feed; a
procrastinate worker delivers each event as an HMAC-SHA256-signed POST, retrying with
exponential backoff and logging every attempt (see ``docs/webhooks.md``)."""
