"""Labelled evaluation corpus for the redaction engine, generated with Faker (fixed seed).

Each sample is one log line with the character spans of every sensitive value it contains.
Templates are split into ``dev`` and ``test`` halves (by template, not by sample), so
patterns tuned on the dev templates are measured on sentence shapes they have not seen.
Hard negatives are lines typical of AI application logs (UUIDs, hashes, timestamps,
order numbers that fail checksums, version strings, model names, prices) that contain
nothing to redact.

Phone numbers are labelled only when ``phonenumbers`` considers them valid in their
region (Faker's raw digits are often unassigned numbers); bare digit runs appear only
next to a context word, as the engine documents.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field

import phonenumbers
from faker import Faker

from glassbox.redaction._checks import keccak256

SEED = 20240601


@dataclass
class Sample:
    """One labelled line: spans are ``(start, end, entity_type)``."""

    text: str
    spans: list[tuple[int, int, str]]
    template: str
    split: str
    negative: str | None = None  # hard-negative category, for lines with nothing to redact
    extras: dict[str, str] = field(default_factory=dict)


# --- value generators ------------------------------------------------------------------


class Values:
    """Generators of sensitive values, all driven by one seeded RNG."""

    def __init__(self, seed: int) -> None:
        Faker.seed(seed)
        self.rng = random.Random(seed)
        self.fake = Faker(["en_US", "en_GB", "de_DE", "fr_FR", "nl_NL", "es_ES", "it_IT"])
        self.us = self.fake["en_US"]

    def _rand(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def email(self) -> str:
        f = self.fake[self.rng.choice(self.fake.locales)]
        v = self.rng.choice([f.email, f.free_email, f.company_email, f.ascii_safe_email])()
        return v.upper() if self.rng.random() < 0.05 else v

    def phone(self) -> str:
        regions = {"en_US": "US", "en_GB": "GB", "de_DE": "DE", "fr_FR": "FR", "nl_NL": "NL"}
        while True:
            loc = self.rng.choice(list(regions))
            raw = self.fake[loc].phone_number().split("x")[0]
            try:
                num = phonenumbers.parse(raw, regions[loc])
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(num):
                continue
            fmt = self.rng.choice(
                [
                    phonenumbers.PhoneNumberFormat.E164,
                    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                    phonenumbers.PhoneNumberFormat.NATIONAL,
                ]
            )
            if fmt == phonenumbers.PhoneNumberFormat.NATIONAL and regions[loc] not in ("US", "GB"):
                fmt = phonenumbers.PhoneNumberFormat.INTERNATIONAL
            return str(phonenumbers.format_number(num, fmt))

    def credit_card(self) -> str:
        kind = self.rng.choice(["visa", "mastercard", "amex", "discover", "jcb", "diners"])
        digits = self.us.credit_card_number(kind)
        sep = self.rng.choice(["", " ", "-"])
        if not sep:
            return digits
        groups = [4, 6, 5] if len(digits) == 15 else [4, 6, 4] if len(digits) == 14 else [4] * 4
        out, pos = [], 0
        for g in groups:
            out.append(digits[pos : pos + g])
            pos += g
        return sep.join(x for x in out if x)

    def iban(self) -> str:
        loc = self.rng.choice(["de_DE", "en_GB", "fr_FR", "nl_NL", "es_ES", "it_IT"])
        v = self.fake[loc].iban()
        if self.rng.random() < 0.5:
            v = " ".join(v[i : i + 4] for i in range(0, len(v), 4))
        return v

    def us_ssn(self) -> str:
        return self.us.ssn()

    def ip_address(self) -> str:
        return self.rng.choice([self.us.ipv4_public, self.us.ipv4_private, self.us.ipv6])()

    def mac_address(self) -> str:
        v = self.us.mac_address()
        return self.rng.choice([v, v.upper(), v.replace(":", "-")])

    def crypto_address(self) -> str:
        kind = self.rng.choice(["p2pkh", "bech32", "eth"])
        payload = self.rng.randbytes(20)
        if kind == "p2pkh":
            return _base58check(b"\x00" + payload)
        if kind == "bech32":
            return _bech32_p2wpkh(payload)
        return _eip55("0x" + payload.hex())

    def national_id(self) -> tuple[str, str]:
        """A national id and a context word that names its scheme."""
        schemes: list[tuple[str, str, Callable[[], str]]] = [
            ("nl_NL", "BSN", lambda: self.fake["nl_NL"].ssn()),
            ("es_ES", "DNI", lambda: self.fake["es_ES"].nif()),
            ("es_ES", "NIE", lambda: self.fake["es_ES"].nie()),
            ("it_IT", "codice fiscale", lambda: self.fake["it_IT"].ssn()),
            ("fr_FR", "numéro INSEE", lambda: self.fake["fr_FR"].ssn()),
            ("pl_PL", "PESEL", lambda: Faker("pl_PL").pesel()),
            ("fi_FI", "HETU", lambda: Faker("fi_FI").ssn()),
            ("pt_BR", "CPF", lambda: Faker("pt_BR").cpf()),
            ("en_CA", "SIN", lambda: Faker("en_CA").ssn()),
            ("sv_SE", "personnummer", lambda: Faker("sv_SE").ssn()),
        ]
        _, word, gen = self.rng.choice(schemes)
        return gen(), word

    def date_of_birth(self) -> str:
        d = self.us.date_of_birth(minimum_age=18, maximum_age=90)
        fmt = self.rng.choice(
            ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%B %d, %Y", "%d %B %Y"]
        )
        return d.strftime(fmt)

    def person(self) -> str:
        return (
            self.us.name()
            if self.rng.random() < 0.5
            else self.us.first_name() + " " + self.us.last_name()
        )

    def street_address(self) -> str:
        v = self.us.street_address()
        if self.rng.random() < 0.3:
            v += f", {self.us.city()}, {self.us.state_abbr()} {self.us.zipcode()}"
        return v

    # secrets
    def openai_key(self) -> str:
        alnum = string.ascii_letters + string.digits
        if self.rng.random() < 0.5:
            return "sk-" + self._rand(alnum, 48)
        return "sk-proj-" + self._rand(alnum + "_-", self.rng.randint(56, 156))

    def anthropic_key(self) -> str:
        return "sk-ant-api03-" + self._rand(string.ascii_letters + string.digits + "_-", 93) + "AA"

    def aws_key(self) -> str:
        return self.rng.choice(["AKIA", "ASIA"]) + self._rand(
            string.ascii_uppercase + string.digits, 16
        )

    def github_token(self) -> str:
        alnum = string.ascii_letters + string.digits
        if self.rng.random() < 0.7:
            return self.rng.choice(["ghp_", "gho_", "ghs_"]) + self._rand(alnum, 36)
        return "github_pat_" + self._rand(alnum + "_", 82)

    def slack_token(self) -> str:
        d = string.digits
        return f"xox{self.rng.choice('bpa')}-{self._rand(d, 12)}-{self._rand(d, 13)}-" + self._rand(
            string.ascii_letters + d, 24
        )

    def google_key(self) -> str:
        return "AIza" + self._rand(string.ascii_letters + string.digits + "_-", 35)

    def stripe_key(self) -> str:
        return f"{self.rng.choice(['sk', 'rk'])}_{self.rng.choice(['live', 'test'])}_" + self._rand(
            string.ascii_letters + string.digits, self.rng.choice([24, 99])
        )

    def jwt(self) -> str:
        def enc(obj: object) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

        header = {"alg": self.rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}
        payload = {"sub": self.us.uuid4(), "iat": self.rng.randint(1.6e9, 1.8e9), "role": "user"}
        sig = base64.urlsafe_b64encode(self.rng.randbytes(32)).decode().rstrip("=")
        return f"{enc(header)}.{enc(payload)}.{sig}"

    def private_key(self) -> str:
        body = base64.b64encode(self.rng.randbytes(self.rng.choice([121, 138]))).decode()
        kind = self.rng.choice(["RSA ", "EC ", "", "OPENSSH "])
        lines = "\\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        return f"-----BEGIN {kind}PRIVATE KEY-----\\n{lines}\\n-----END {kind}PRIVATE KEY-----"

    def bearer_token(self) -> str:
        return self._rand(string.ascii_letters + string.digits + "-_", self.rng.randint(24, 64))

    def url_credentials(self) -> str:
        password = self.us.password(length=self.rng.randint(10, 20), special_chars=False)
        return f"{self.us.user_name()}:{password}"

    def secret(self) -> str:
        kind = self.rng.random()
        if kind < 0.4:
            return self.us.password(length=self.rng.randint(10, 24), special_chars=False)
        if kind < 0.7:
            return self.rng.randbytes(16).hex()
        return base64.b64encode(self.rng.randbytes(24)).decode().rstrip("=").replace("/", "_")


def _base58check(payload: bytes) -> str:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    num = int.from_bytes(data, "big")
    out = ""
    while num:
        num, rem = divmod(num, 58)
        out = alphabet[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out


def _bech32_p2wpkh(program: bytes) -> str:
    charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    acc, bits, data = 0, 0, [0]  # witness version 0
    for b in program:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    hrp = "bc"
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data + [0] * 6
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= gen[i]
    polymod = chk ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(charset[d] for d in data + checksum)


def _eip55(address: str) -> str:
    body = address[2:].lower()
    digest = keccak256(body.encode()).hex()
    return "0x" + "".join(
        c.upper() if int(h, 16) >= 8 else c for c, h in zip(body, digest, strict=False)
    )


# --- templates -------------------------------------------------------------------------

#: (template, split). Placeholders are entity types; {X} is filled and labelled.
POSITIVE_TEMPLATES: list[tuple[str, str]] = [
    # e-mail
    ('{{"level":"info","event":"user signup","email":"{EMAIL}"}}', "dev"),
    ("Please send the invoice to {EMAIL} by Friday.", "dev"),
    ("reply-to: {EMAIL}; cc: {EMAIL}", "test"),
    ('prompt="Draft a follow-up to {EMAIL} about the renewal"', "test"),
    # phone
    ("Customer asked us to call back on {PHONE} after 5pm", "dev"),
    ('{{"event":"tool_call","tool":"send_sms","args":{{"to":"{PHONE}"}}}}', "dev"),
    ("You can reach me at {PHONE} or by mail.", "test"),
    ("tel: {PHONE}", "test"),
    # cards
    ("payment failed for card {CREDIT_CARD} (insufficient funds)", "dev"),
    ('user: "my card number is {CREDIT_CARD}, expiry 09/27"', "test"),
    ("charge {CREDIT_CARD} amount=49.99 currency=EUR", "test"),
    # IBAN
    ("refund to IBAN {IBAN} scheduled", "dev"),
    ('completion: "Transfer the deposit to {IBAN} before the 15th."', "test"),
    # SSN
    ("applicant SSN {US_SSN} verified", "dev"),
    ('tool_result={{"ssn": "{US_SSN}", "status": "ok"}}', "test"),
    # IP
    ("request from {IP_ADDRESS} rejected by WAF rule 942100", "dev"),
    ("client_ip={IP_ADDRESS} path=/v1/chat/completions status=200", "test"),
    # MAC
    ("device {MAC_ADDRESS} joined network", "dev"),
    ("dhcp lease renewed hw={MAC_ADDRESS} ttl=3600", "test"),
    # crypto
    ("please send the payment to {CRYPTO_ADDRESS} today", "dev"),
    ('wallet address: "{CRYPTO_ADDRESS}"', "test"),
    # national ids (the context word is generated with the id)
    ("verified identity: {NATIONAL_ID}", "dev"),
    ('user message: "here is my {NATIONAL_ID} for the form"', "test"),
    # DOB
    ("patient date of birth: {DATE_OF_BIRTH}", "dev"),
    ("user says they were born on {DATE_OF_BIRTH} and need a quote", "test"),
    ("DOB {DATE_OF_BIRTH}", "test"),
    # names
    ("Hi, my name is {PERSON} and I need help with my order", "dev"),
    ("Dear {PERSON}, thank you for contacting support.", "test"),
    ("name: {PERSON}", "test"),
    # addresses
    ("ship to {STREET_ADDRESS}", "dev"),
    ('completion: "The package will be delivered to {STREET_ADDRESS} tomorrow."', "test"),
    # secrets
    ("OPENAI_API_KEY={OPENAI_KEY}", "dev"),
    ('client init failed: invalid api key "{OPENAI_KEY}"', "test"),
    ("using anthropic key {ANTHROPIC_KEY}", "dev"),
    ('{{"headers":{{"x-api-key":"{ANTHROPIC_KEY}"}}}}', "test"),
    ("aws credentials loaded: {AWS_KEY}", "dev"),
    ("AccessKeyId: {AWS_KEY}", "test"),
    ("git clone with token {GITHUB_TOKEN}", "dev"),
    ("GH_TOKEN={GITHUB_TOKEN} make release", "test"),
    ("slack notify token={SLACK_TOKEN}", "dev"),
    ("posting to slack with {SLACK_TOKEN}", "test"),
    ("maps key {GOOGLE_KEY} quota exceeded", "dev"),
    ("https://maps.googleapis.com/maps/api/geocode/json?key={GOOGLE_KEY}", "test"),
    ("stripe.api_key = {STRIPE_KEY}", "dev"),
    ("billing init key={STRIPE_KEY}", "test"),
    ("session cookie {JWT}", "dev"),
    ('{{"id_token":"{JWT}"}}', "test"),
    ('{{"config":{{"signing_key":"{PRIVATE_KEY}"}}}}', "dev"),
    ("loaded key material {PRIVATE_KEY}", "test"),
    ("Authorization: Bearer {BEARER_TOKEN}", "dev"),
    ("curl -H 'authorization: bearer {BEARER_TOKEN}' https://api.example.com", "test"),
    ("connecting to postgres://{URL_CREDENTIALS}@db.internal:5432/app", "dev"),
    ("broker url amqp://{URL_CREDENTIALS}@rabbitmq:5672//", "test"),
    ("DB_PASSWORD={SECRET}", "dev"),
    ("client_secret: {SECRET}", "test"),
    ('{{"password": "{SECRET}"}}', "test"),
]

#: (category, template, split): lines that must pass through unchanged.
NEGATIVE_TEMPLATES: list[tuple[str, str, str]] = [
    ("uuid", "request_id={uuid} completed", "dev"),
    ("uuid", '{{"event":"span.end","span":"{uuid}"}}', "test"),
    ("hash", "sha256={sha256} cached embedding", "dev"),
    ("hash", "git commit {sha1} deployed (md5 {md5})", "test"),
    ("timestamp", "{iso} INFO llm.call finished in {ms}ms", "dev"),
    ("timestamp", "ts={epoch_ms} started={time} date={date}", "test"),
    ("order_number", "order {order16} shipped, tracking {order12}", "dev"),
    ("order_number", "invoice #{order16} total {price}", "test"),
    ("version", "glassbox version {semver} python {pyver} build {build}", "dev"),
    ("version", "upgraded openai from {semver} to {semver2} (build {fourpart})", "test"),
    ("model_name", "model={model} temperature=0.7 max_tokens={tokens}", "dev"),
    (
        "model_name",
        '{{"gen_ai.request.model":"{model}","usage":{{"input_tokens":{tokens}}}}}',
        "test",
    ),
    ("price", "cost usd={price} for {tokens} tokens at {rate}/1M", "dev"),
    ("price", "monthly spend ${bigprice} (budget {bigprice2})", "test"),
    ("trace_id", "trace_id={trace} span_id={span} parent={span2}", "dev"),
    ("trace_id", "traceparent: 00-{trace}-{span}-01", "test"),
    ("metrics", "latency p50={ms}ms p99={ms2}ms queue_depth={small} tokens/s={rate}", "dev"),
    (
        "metrics",
        "embedding dim=1536 batch={small} chunk {small}/{tokens} offset={epoch_ms}",
        "test",
    ),
    ("url", "POST https://api.openai.com/v1/chat/completions 200 in {ms}ms", "dev"),
    ("url", "listening on http://0.0.0.0:8080 and 127.0.0.1:9090", "test"),
    ("code", 'File "/app/agents/editor.py", line {small}, in run_tool', "dev"),
    ("code", "KeyError: 'max_tokens' while parsing response id chatcmpl-{reqid}", "test"),
]


def _negative_values(v: Values) -> dict[str, str]:
    rng = v.rng
    order16 = "4" + "".join(rng.choice(string.digits) for _ in range(15))
    from glassbox.redaction._checks import luhn_ok

    while luhn_ok(order16):  # order numbers that fail the card checksum
        order16 = order16[:-1] + str((int(order16[-1]) + 1) % 10)
    models = [
        "gpt-4o-2024-08-06", "gpt-4o-mini", "claude-3-5-sonnet-20241022", "o1-preview",
        "text-embedding-3-small", "claude-3-haiku-20240307", "llama-3.1-70b-instruct",
        "gemini-1.5-pro-002", "mistral-large-2407",
    ]  # fmt: skip
    return {
        "uuid": v.us.uuid4(),
        "sha256": hashlib.sha256(rng.randbytes(8)).hexdigest(),
        "sha1": hashlib.sha1(rng.randbytes(8)).hexdigest(),
        "md5": hashlib.md5(rng.randbytes(8)).hexdigest(),
        "iso": v.us.date_time_this_year().isoformat(timespec="milliseconds") + "Z",
        "epoch_ms": str(rng.randint(1_600_000_000_000, 1_800_000_000_000)),
        "time": v.us.time(),
        "date": v.us.date(),
        "ms": str(rng.randint(5, 30000)),
        "ms2": str(rng.randint(5, 30000)),
        "order16": order16,
        "order12": "".join(rng.choice(string.digits) for _ in range(12)),
        "price": f"{rng.uniform(0, 2):.4f}",
        "bigprice": f"{rng.uniform(1000, 99999):,.2f}",
        "bigprice2": f"{rng.randint(1000, 99999):,}",
        "rate": f"{rng.uniform(0.1, 60):.2f}",
        "semver": f"{rng.randint(0, 3)}.{rng.randint(0, 60)}.{rng.randint(0, 20)}",
        "semver2": f"v{rng.randint(0, 3)}.{rng.randint(0, 60)}.{rng.randint(0, 20)}",
        "pyver": f"3.{rng.randint(8, 13)}.{rng.randint(0, 12)}",
        "build": ".".join(str(rng.randint(*r)) for r in ((1, 9), (0, 9), (0, 99), (256, 9999))),
        "fourpart": ".".join(str(rng.randint(*r)) for r in ((1, 9), (0, 9), (0, 9), (0, 9))),
        "model": rng.choice(models),
        "tokens": str(rng.randint(1, 128000)),
        "trace": rng.randbytes(16).hex(),
        "span": rng.randbytes(8).hex(),
        "span2": rng.randbytes(8).hex(),
        "small": str(rng.randint(0, 999)),
        "reqid": "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(29)),
    }


_FIELD = re.compile(r"\{([A-Z_]+)\}")


def _fill(template: str, v: Values) -> tuple[str, list[tuple[int, int, str]]]:
    """Fill the entity placeholders of ``template``, recording the spans."""
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    length = 0
    unescaped = template.replace("{{", "\x00").replace("}}", "\x01")
    for m in _FIELD.finditer(unescaped):
        literal = unescaped[pos : m.start()].replace("\x00", "{").replace("\x01", "}")
        out.append(literal)
        length += len(literal)
        etype = m.group(1)
        if etype == "NATIONAL_ID":
            value, word = v.national_id()
            out.append(word + " ")
            length += len(word) + 1
        else:
            value = getattr(v, etype.lower())()
        out.append(value)
        spans.append((length, length + len(value), etype))
        length += len(value)
        pos = m.end()
    out.append(unescaped[pos:].replace("\x00", "{").replace("\x01", "}"))
    return "".join(out), spans


def generate(n_positive: int = 3000, n_negative: int = 3000, seed: int = SEED) -> list[Sample]:
    """The labelled corpus: ``n_positive`` lines with sensitive values, ``n_negative`` without."""
    v = Values(seed)
    samples: list[Sample] = []
    for i in range(n_positive):
        template, split = POSITIVE_TEMPLATES[i % len(POSITIVE_TEMPLATES)]
        text, spans = _fill(template, v)
        samples.append(Sample(text, spans, template, split))
    for i in range(n_negative):
        category, template, split = NEGATIVE_TEMPLATES[i % len(NEGATIVE_TEMPLATES)]
        text = template.format(**_negative_values(v))
        samples.append(Sample(text, [], template, split, negative=category))
    return samples
