"""API keys and rate limits of ``/api/`` and ``/graphql/`` (docs/rate_limits.md).

Every client is counted in fixed windows in one counter shared by all worker processes:
Redis when ``REDIS_URL`` is set, an UNLOGGED PostgreSQL table otherwise."""
