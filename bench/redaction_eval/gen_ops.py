"""Operational text: web access logs, tracebacks, ``.env`` files, YAML, curl commands, app logs.

Values are drawn here from first principles (random alphabets, RFC 5737/3849 documentation
ranges avoided in favour of public-looking addresses), not from the engine's patterns.
"""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Callable

from redaction_eval.doc import Segments

B64 = string.ascii_letters + string.digits + "+/"
B64URL = string.ascii_letters + string.digits + "-_"
B62 = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
USERS = ["admin", "deploy", "svc_ingest", "app", "root", "etl", "analytics", "ci-bot"]
HOSTS = ["db.internal.acme.io", "10.2.3.4", "redis-master", "pg.prod.example.net", "mq.local"]
PATHS = ["/v1/chat/completions", "/api/agents/run", "/healthz", "/static/app.js", "/login"]


def rs(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def aws_secret(rng: random.Random) -> str:
    while True:
        v = rs(rng, B64, 40)
        if any(c.isdigit() for c in v) and any(c.isupper() for c in v):
            return v


def aws_key_id(rng: random.Random) -> str:
    return rng.choice(["AKIA", "ASIA"]) + rs(rng, string.ascii_uppercase + "234567", 16)


def ipv4(rng: random.Random) -> str:
    while True:
        a = rng.randint(1, 223)
        if a not in (10, 127, 0):
            return f"{a}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    style = rng.randrange(4)
    if style == 0:
        return ":".join(groups)
    if style == 1:
        return f"2001:db8:{groups[2]}::{groups[7]}"
    if style == 2:
        return f"fe80::{groups[4]}:{groups[5]}:{groups[6]}:{groups[7]}"
    return f"{groups[0]}:{groups[1]}::{groups[6]}:{groups[7]}"


def opaque_token(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return "sess_" + rs(rng, B62, rng.randint(24, 40))
    if kind == 1:
        return rs(rng, B64URL, 43)
    if kind == 2:
        return rs(rng, HEX, rng.choice([32, 40, 64]))
    if kind == 3:
        return "glpat-" + rs(rng, B62 + "-_", 20)
    if kind == 4:
        return "00" + rs(rng, B62 + "-_", 40)
    return rs(rng, B62, rng.randint(28, 48))


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def timestamp(rng: random.Random) -> str:
    return (
        f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
        f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}Z"
    )


def version(rng: random.Random) -> str:
    parts = rng.randint(2, 4)
    return ".".join(str(rng.randint(0, 20)) for _ in range(parts))


def access_log(rng: random.Random) -> Segments:
    out: Segments = []
    for _ in range(rng.randint(2, 6)):
        ip = ipv4(rng) if rng.random() < 0.8 else ipv6(rng)
        out += [
            (ip, "ip"),
            (
                f" - - [02/Dec/2026:{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:11 +0000] "
                f'"{rng.choice(["GET", "POST"])} {rng.choice(PATHS)} HTTP/1.1" '
                f'{rng.choice([200, 201, 401, 404, 500])} {rng.randint(0, 99999)} "-" '
                f'"python-httpx/{rng.randint(0, 1)}.{rng.randint(20, 28)}.0"\n',
                None,
            ),
        ]
    return out


def traceback(rng: random.Random) -> Segments:
    key = aws_secret(rng)
    return [
        ('Traceback (most recent call last):\n  File "/app/worker.py", line ', None),
        (str(rng.randint(10, 900)), "neg:number"),
        (", in run\n    client = boto3.client('s3', aws_access_key_id=", None),
        (f"'{aws_key_id(rng)}'", None),
        (", aws_secret_access_key='", None),
        (key, "aws_secret"),
        (
            "')\nbotocore.exceptions.ClientError: An error occurred (SignatureDoesNotMatch) "
            "request id ",
            None,
        ),
        (uid(rng), "neg:uuid"),
        ("\n", None),
    ]


def dotenv(rng: random.Random) -> Segments:
    out: Segments = [("# generated ", None), (timestamp(rng), "neg:timestamp"), ("\n", None)]
    out += [("AWS_ACCESS_KEY_ID=", None), (aws_key_id(rng), "provider_key"), ("\n", None)]
    out += [("AWS_SECRET_ACCESS_KEY=", None), (aws_secret(rng), "aws_secret"), ("\n", None)]
    out += [
        (rng.choice(["SESSION_TOKEN=", "API_KEY=", "OKTA_API_TOKEN=", "AUTH_TOKEN="]), None),
        (opaque_token(rng), "opaque_token"),
        ("\n", None),
    ]
    user, pw = rng.choice(USERS), rs(rng, B62 + "!%*", rng.randint(10, 20))
    out += [
        ("DATABASE_URL=postgres://", None),
        (f"{user}:{pw}", "url_credentials"),
        (f"@{rng.choice(HOSTS)}:5432/app\n", None),
    ]
    out += [("APP_VERSION=", None), (version(rng), "neg:version"), ("\n", None)]
    out += [("BUILD_SHA=", None), (rs(rng, HEX, 40), "neg:hash"), ("\n", None)]
    return out


def yaml_cfg(rng: random.Random) -> Segments:
    return [
        ("aws:\n  region: eu-west-1\n  access_key_id: ", None),
        (aws_key_id(rng), "provider_key"),
        ("\n  secret_access_key: ", None),
        (aws_secret(rng), "aws_secret"),
        ("\nauth:\n  session: ", None),
        (opaque_token(rng), "opaque_token"),
        ("\n  issued: ", None),
        (timestamp(rng), "neg:timestamp"),
        ("\nimage:\n  tag: ", None),
        (version(rng), "neg:version"),
        ("\n  digest: sha256:", None),
        (rs(rng, HEX, 64), "neg:hash"),
        ("\n", None),
    ]


def curl(rng: random.Random) -> Segments:
    tok = opaque_token(rng)
    header = rng.choice(
        ["Authorization: Bearer ", "Authorization: SSWS ", "X-Session-Token: ", "X-API-Key: "]
    )
    out: Segments = [("$ curl -sS -H '", None), (header, None), (tok, "opaque_token"), ("' ", None)]
    if rng.random() < 0.5:
        user, pw = rng.choice(USERS), rs(rng, B62, 16)
        out += [("https://", None), (f"{user}:{pw}", "url_credentials"), ("@", None)]
    else:
        out += [("https://", None)]
    out += [
        ("api.acme.io/v2/orders/", None),
        (f"ORD-{rng.randint(10**7, 10**8 - 1)}", "neg:order_id"),
        ("?trace=", None),
        (rs(rng, HEX, 32), "neg:trace_id"),
        ("\n", None),
    ]
    return out


def app_log(rng: random.Random) -> Segments:
    out: Segments = []
    for _ in range(rng.randint(2, 5)):
        out += [(timestamp(rng), "neg:timestamp"), (" INFO ", None)]
        kind = rng.randrange(6)
        if kind == 0:
            out += [
                ("request from ", None),
                (ipv4(rng), "ip"),
                (" trace_id=", None),
                (rs(rng, HEX, 32), "neg:trace_id"),
                (" span_id=", None),
                (rs(rng, HEX, 16), "neg:trace_id"),
            ]
        elif kind == 1:
            out += [
                ("client connected peer=[", None),
                (ipv6(rng), "ip"),
                ("]:", None),
                (str(rng.randint(1024, 65535)), "neg:number"),
            ]
        elif kind == 2:
            out += [
                ("refreshed session token ", None),
                (opaque_token(rng), "opaque_token"),
                (" for tenant ", None),
                (uid(rng), "neg:uuid"),
            ]
        elif kind == 3:
            out += [
                ("order ", None),
                (str(rng.randint(10**9, 10**11)), "neg:order_id"),
                (" paid, latency_ms=", None),
                (str(rng.randint(3, 9000)), "neg:number"),
            ]
        elif kind == 4:
            out += [
                ("loaded model weights ", None),
                (rs(rng, HEX, 64), "neg:hash"),
                (" version ", None),
                (version(rng), "neg:version"),
            ]
        else:
            out += [
                ("the secret access key is ", None),
                (aws_secret(rng), "aws_secret"),
                (" (rotated)", None),
            ]
        out.append(("\n", None))
    return out


TEMPLATES: dict[str, Callable[[random.Random], Segments]] = {
    "ops.access_log": access_log,
    "ops.traceback": traceback,
    "ops.dotenv": dotenv,
    "ops.yaml": yaml_cfg,
    "ops.curl": curl,
    "ops.app_log": app_log,
}
