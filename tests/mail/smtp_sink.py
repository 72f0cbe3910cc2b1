"""An aiosmtpd handler for roster's tests: every message it accepts is written, byte for byte
as it arrived, to FOLDER/NNNNNN.eml, with its envelope in FOLDER/NNNNNN.json (each written to
a temporary name first, then renamed, so a reader never sees half a file). With FOLDER '-' it
only counts (for the throughput measurement).

    python -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink FOLDER   (PYTHONPATH=tests/mail)
"""
import itertools
import json
import os


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.counter = itertools.count(1)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("Sink takes one argument: a folder, or -")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        if self.folder == "-":
            return "250 OK"
        base = os.path.join(self.folder, f"{n:06}")
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "peer": "%s:%s" % tuple(session.peer[:2])}
        for suffix, data in ((".eml", envelope.original_content),
                             (".json", json.dumps(meta).encode())):
            with open(base + suffix + ".tmp", "wb") as f:
                f.write(data)
            os.rename(base + suffix + ".tmp", base + suffix)
        return "250 OK"
