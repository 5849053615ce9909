"""The stored public text of enforcement decisions (the ``public_<field>`` columns
``save()`` fills from :func:`enforcement.redaction.public_text`), computed by the project's
own function in a helper process while this one generates the next batch: the redaction is
a third of the cost of a generated decision, and the machine has a core to spare while
PostgreSQL loads.

The helper is a plain child process (``python -m bench.datagen.redactor``) speaking pickled
batches over its stdin and stdout: it needs no Django set-up and no database, and if it
dies the generator gets an error instead of waiting for ever.
"""

import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent.parent
# Fields the redaction reads that a generated row may leave at their defaults.
DEFAULTS = dict.fromkeys(
    ("summary", "legal_representative", "licence_scope", "party_id_number", "party_address")
    + ("party_phone", "party_bank_account", "party_health_info", "party_credit_code"),
    "",
) | {"private_names": []}
_LENGTH = struct.Struct("!Q")
TEXT = (str, list)


def _send(stream, value):
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _receive(stream):
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise EOFError("the redaction helper stopped")
    return pickle.loads(stream.read(_LENGTH.unpack(header)[0]))


def public_texts(rows):
    """The public text of each row (a row reads like the model instance)."""
    from enforcement import redaction

    return [redaction.public_text(SimpleNamespace(**{**DEFAULTS, **row})) for row in rows]


def serve():
    """The helper's loop: a batch of rows in, their public texts out, until EOF."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            rows = _receive(source)
        except EOFError:
            return
        _send(sink, public_texts(rows))


class Redactor:
    """Rows go in by batches and come out one batch later with their public columns set."""

    def __init__(self):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.datagen.redactor"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        self.pending = None

    def submit(self, rows):
        """Hand over ``rows``; return the previous batch, done. (The previous result is
        read before the next batch is written, so neither side waits on a full pipe.)"""
        done = self._collect()
        # Only the text fields travel (the redaction reads text; dates and amounts would
        # double the pickling).
        _send(
            self.process.stdin, [{k: v for k, v in row.items() if type(v) in TEXT} for row in rows]
        )
        self.pending = rows
        return done

    def finish(self):
        """The last batch, done; the helper stops."""
        try:
            return self._collect()
        finally:
            self.close()

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()

    def _collect(self):
        if self.pending is None:
            return []
        rows, self.pending = self.pending, None
        for row, text in zip(rows, _receive(self.process.stdout), strict=True):
            row.update(text)
        return rows


if __name__ == "__main__":
    serve()
