"""Machine-shaped text: tool-call arguments as JSON, code quoted inside JSON strings, and
URL-encoded query strings (``%40`` e-mails, ``%2B`` phone numbers).

Values are generated here independently of the other generators.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

import phonenumbers

from redaction_eval.doc import Segments, json_escape, url_encode

B64 = string.ascii_letters + string.digits + "+/"
ALNUM = string.ascii_letters + string.digits
DOMAINS = ["gmail.com", "outlook.fr", "web.de", "yahoo.es", "acme-corp.com", "uni-koeln.de"]
FIRST = ["anna", "jean.luc", "maria", "k.schmidt", "o.brien", "lucia", "pierre", "jürgen"]


def r(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def email(rng: random.Random) -> str:
    local = rng.choice(FIRST).replace("ü", "ue") + rng.choice(["", str(rng.randint(1, 99))])
    return f"{local}@{rng.choice(DOMAINS)}"


def e164(rng: random.Random) -> str:
    region = rng.choice(["FR", "DE", "ES", "BR", "IN", "AT", "BE", "US"])
    ex = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    digits = str(ex.national_number)
    while True:
        cand = digits[:3] + r(rng, string.digits, len(digits) - 3)
        num = phonenumbers.parse(cand, region)
        if phonenumbers.is_valid_number(num):
            return str(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164))


def secret40(rng: random.Random) -> str:
    while True:
        v = r(rng, B64, 40)
        if sum(c.isdigit() for c in v) >= 2 and any(c.isupper() for c in v):
            return v


def token(rng: random.Random) -> str:
    return rng.choice(["sess_", "tok_", "", "pat_"]) + r(rng, ALNUM + "-_", rng.randint(28, 44))


def ip(rng: random.Random) -> str:
    first = rng.choice([n for n in range(11, 224) if n != 127])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def tool_call(rng: random.Random) -> Segments:
    """A tool call as an LLM API returns it: arguments are a JSON string inside JSON."""
    name = rng.choice(["send_email", "create_ticket", "lookup_user", "call_webhook"])
    call_id = "call_" + r(rng, ALNUM, 24)
    out: Segments = [
        ('{"type":"function","id":"', None),
        (call_id, "neg:order_id"),
        ('","function":{"name":"', None),
        (name, None),
        ('","arguments":"{\\"to\\":\\"', None),
        (email(rng), "email"),
        ('\\",\\"client_ip\\":\\"', None),
        (ip(rng), "ip"),
        ('\\",\\"phone\\":\\"', None),
        (e164(rng), "phone"),
        ('\\",\\"api_key\\":\\"', None),
        (token(rng), "opaque_token"),
        ('\\",\\"request_id\\":\\"', None),
        (
            f"{r(rng, '0123456789abcdef', 8)}-{r(rng, '0123456789abcdef', 4)}-4"
            f"{r(rng, '0123456789abcdef', 3)}-a{r(rng, '0123456789abcdef', 3)}-"
            f"{r(rng, '0123456789abcdef', 12)}",
            "neg:uuid",
        ),
        ('\\"}"}}\n', None),
    ]
    return out


def json_event(rng: random.Random) -> Segments:
    """A structured log event with IPs and credentials as plain JSON values."""
    return [
        ('{"ts":"', None),
        (f"2026-11-{rng.randint(1, 30):02d}T10:00:{rng.randint(10, 59)}Z", "neg:timestamp"),
        ('","ip": "', None),
        (ip(rng), "ip"),
        ('","user":"', None),
        (email(rng), "email"),
        ('","session":"', None),
        (token(rng), "opaque_token"),
        ('","sdk_version":"', None),
        (f"{rng.randint(0, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}", "neg:version"),
        ('","trace_id":"', None),
        (r(rng, "0123456789abcdef", 32), "neg:trace_id"),
        ('"}\n', None),
    ]


def escaped_code(rng: random.Random) -> Segments:
    """Python code quoted in a chat message, JSON-escaped (newlines and quotes)."""
    code: Segments = [
        ('import boto3\n\ns3 = boto3.client(\n    "s3",\n    aws_secret_access_key="', None),
        (secret40(rng), "aws_secret"),
        ('",\n    region_name="eu-west-3",\n)\nheaders = {"Authorization": "Bearer ', None),
        (token(rng), "opaque_token"),
        ('"}\n', None),
    ]
    out: Segments = [('{"role":"user","content":"Why does this fail?\\n', None)]
    out += [(json_escape(t), label) for t, label in code]
    out.append(('"}\n', None))
    return out


def query_string(rng: random.Random) -> Segments:
    """A logged request URL with URL-encoded personal data."""
    return [
        ("GET /api/v1/subscribe?email=", None),
        (url_encode(email(rng)), "email"),
        ("&phone=", None),
        (url_encode(e164(rng)), "phone"),
        ("&ref=", None),
        (r(rng, "0123456789abcdef", 12), None),
        ("&v=", None),
        (f"{rng.randint(1, 5)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}", "neg:version"),
        (" 200\n", None),
    ]


def env_json(rng: random.Random) -> Segments:
    """Credentials as JSON keyword values (config dumps)."""
    return [
        ("{", None),
        ('"aws_secret_access_key": "', None),
        (secret40(rng), "aws_secret"),
        ('", "credential": "', None),
        (token(rng), "opaque_token"),
        ('", "db": "mysql://', None),
        (f"{rng.choice(['app', 'ro'])}:{r(rng, ALNUM, 14)}", "url_credentials"),
        (f'@db{rng.randint(1, 9)}.acme.io/main", "build": "', None),
        (r(rng, "0123456789abcdef", 40), "neg:hash"),
        ('"}\n', None),
    ]


TEMPLATES: dict[str, Callable[[random.Random], Segments]] = {
    "tools.tool_call": tool_call,
    "tools.json_event": json_event,
    "tools.escaped_code": escaped_code,
    "tools.query_string": query_string,
    "tools.env_json": env_json,
}
