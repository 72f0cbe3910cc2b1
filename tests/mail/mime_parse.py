"""Parses the messages of a folder written by smtp_sink.Sink with Python's email package (the
standard library's MIME parser) and prints one JSON document: for each message, in order, its
envelope, size, headers, defects, and its tree of parts with each leaf decoded.

    python tests/mail/mime_parse.py FOLDER
"""
import email
import email.policy
import glob
import hashlib
import json
import os
import sys


def part(p):
    info = {
        "content_type": p.get_content_type(),
        "charset": p.get_content_charset(),
        "transfer_encoding": p.get("Content-Transfer-Encoding"),
        "content_id": p.get("Content-ID"),
        "disposition": p.get_content_disposition(),
        "defects": [type(d).__name__ for d in p.defects],
    }
    if p.is_multipart():
        info["parts"] = [part(s) for s in p.iter_parts()]
        return info
    payload = p.get_payload(decode=True) or b""
    info["size"] = len(payload)
    info["sha256"] = hashlib.sha256(payload).hexdigest()
    if p.get_content_maintype() == "text":
        info["text"] = p.get_content()
    return info


def main(folder):
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "*.eml"))):
        raw = open(path, "rb").read()
        meta = json.load(open(path[:-4] + ".json"))
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        out.append({
            "envelope": meta,
            "size": len(raw),
            "headers": [[k, str(v)] for k, v in msg.items()],
            "root": part(msg),
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
