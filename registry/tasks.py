"""Periodic jobs of the registry core, run by the procrastinate worker (``make run`` starts
it beside gunicorn)."""

import logging

from procrastinate.contrib.django import app

logger = logging.getLogger(__name__)


# procrastinate reads cron schedules in UTC: 16:05 UTC is 00:05 in Asia/Shanghai (UTC+8, no
# daylight saving time), shortly after the day whose display periods ended is over.
@app.periodic(cron="5 16 * * *", periodic_id="daily")
@app.task(name="registry.daily_refresh", queueing_lock="registry.daily_refresh")
def daily_refresh(timestamp=None):
    """Announce what changed with the date: ended display periods, then every other public
    state that depends on the date (``manage.py refresh_public_states``)."""
    from registry import changes, refresh

    ended = changes.emit_expiry_events()
    refreshed = refresh.refresh_public_states()
    logger.info("daily: %s display_ended, %s refreshed event(s)", ended, refreshed)
    return ended + refreshed


@app.periodic(cron="*/10 * * * *", periodic_id="snapshot")
@app.task(name="registry.build_snapshot", queueing_lock="registry.build_snapshot")
def build_snapshot(timestamp=None):
    """Rebuild the full snapshot when public data changed (a no-op otherwise)."""
    from registry.exports import snapshot

    manifest = snapshot.build()
    logger.info("snapshot %s at change %s", manifest.file_name, manifest.change_seq)
    return manifest.change_seq


# 00:30 UTC is 08:30 in Asia/Shanghai: publishers find the digest when the working day starts.
@app.periodic(cron="30 0 * * *", periodic_id="deadline-digest")
@app.task(name="registry.deadline_digest", queueing_lock="registry.deadline_digest")
def deadline_digest(timestamp=None):
    """E-mail each department's publishers the deadlines due within the next working days
    and those overdue (``registry.compliance.digest``)."""
    from registry.compliance import digest

    sent = digest.send_digests()
    logger.info("deadline digest: %s message(s)", sent)
    return sent
