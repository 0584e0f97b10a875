"""Redaction quality and throughput on the labelled Faker corpus (bench/redaction_corpus.py).

Prints, per entity type, precision, recall, leak rate (share of sensitive characters that
survive redaction) and, per hard-negative category, the false-redaction rate; then the
throughput in MB/s on one core for log text in which one line in ten holds personal data.

Run: ``.venv/bin/python bench/bench_redaction.py [--split test|dev|all] [--mb 8]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from redaction_corpus import Sample, generate

from glassbox.redaction import ENTITY_TYPES, SECRET_TYPES, build_redactor

STRUCTURED = {
    "EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "US_SSN", "IP_ADDRESS", "MAC_ADDRESS",
    "CRYPTO_ADDRESS", "NATIONAL_ID",
} | set(SECRET_TYPES)  # fmt: skip


def evaluate(samples: list[Sample]) -> int:
    """Print quality figures; return the number of missed targets."""
    redactor = build_redactor(key=b"bench-key-0123456789abcdef")
    support: Counter[str] = Counter()
    covered: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    leaked: Counter[str] = Counter()
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    neg_total: Counter[str] = Counter()
    neg_hit: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for s in samples:
        found = redactor.findings(s.text)
        mask = bytearray(len(s.text))
        for f in found:
            mask[f.start : f.end] = b"\x01" * (f.end - f.start)
        if s.negative is not None:
            neg_total[s.negative] += 1
            if found:
                neg_hit[s.negative] += 1
                if len(examples[s.negative]) < 2:
                    examples[s.negative].append(f"{found[0].entity_type}: {found[0].value!r}")
            continue
        for start, end, etype in s.spans:
            support[etype] += 1
            missing = (end - start) - sum(mask[start:end])
            chars[etype] += end - start
            leaked[etype] += missing
            if not missing:
                covered[etype] += 1
            elif len(examples[etype]) < 3:
                examples[etype].append(repr(s.text[start:end]))
        for f in found:
            hits = [t for a, b, t in s.spans if a < f.end and f.start < b]
            if f.entity_type in hits:
                tp[f.entity_type] += 1
            else:
                fp[f.entity_type] += 1
                confusions[(f.entity_type, hits[0] if hits else "-")] += 1
                key = "FP " + f.entity_type
                if len(examples[key]) < 3:
                    examples[key].append(f"{f.value!r} in {s.text[:90]!r}")

    failures = 0
    print(f"{'entity':<16}{'support':>8}{'precision':>11}{'recall':>8}{'leak %':>8}  target")
    for etype in ENTITY_TYPES:
        if not support[etype] and not fp[etype]:
            continue
        n_found = tp[etype] + fp[etype]
        precision = tp[etype] / n_found if n_found else 1.0
        recall = covered[etype] / support[etype] if support[etype] else float("nan")
        leak = 100 * leaked[etype] / chars[etype] if chars[etype] else 0.0
        structured = etype in STRUCTURED
        ok = precision >= 0.98 and (leak < 1.0 or not structured)
        failures += not ok
        target = ("leak<1% " if structured else "") + "prec>=0.98"
        print(
            f"{etype:<16}{support[etype]:>8}{precision:>11.3f}{recall:>8.3f}{leak:>8.2f}"
            f"  {target} {'ok' if ok else 'MISSED'}"
        )
    total_chars = sum(chars.values())
    print(f"{'ALL':<16}{sum(support.values()):>8}{'':>11}"
          f"{sum(covered.values()) / max(1, sum(support.values())):>8.3f}"
          f"{100 * sum(leaked.values()) / max(1, total_chars):>8.2f}")  # fmt: skip
    print(f"\n{'hard negative':<16}{'lines':>8}{'redacted %':>12}  target <=1%")
    for cat in sorted(neg_total):
        rate = 100 * neg_hit[cat] / neg_total[cat]
        failures += rate > 1.0
        print(f"{cat:<16}{neg_total[cat]:>8}{rate:>12.2f}  {'ok' if rate <= 1.0 else 'MISSED'}")
    if confusions:
        print("\nwrong-type or spurious findings (found, gold):", dict(confusions.most_common(8)))
    if examples:
        print("\nexamples of misses:")
        for k, vals in sorted(examples.items()):
            for val in vals:
                print(f"  {k}: {val}")
    return failures


def throughput(samples: list[Sample], megabytes: float) -> None:
    """Print MB/s of ``Redactor.redact`` per line, with 1 line in 10 holding personal data."""
    positives = [s.text for s in samples if s.negative is None]
    negatives = [s.text for s in samples if s.negative is not None]
    lines: list[str] = []
    size = 0
    i = 0
    while size < megabytes * 1e6:
        line = positives[i // 10 % len(positives)] if i % 10 == 9 else negatives[i % len(negatives)]
        lines.append(line)
        size += len(line.encode()) + 1
        i += 1
    redactor = build_redactor(key=b"bench-key-0123456789abcdef")
    for line in lines[:2000]:  # warm caches (phonenumbers metadata, PSL, stdnum imports)
        redactor.redact(line)
    for label, subset in (
        ("mixed 1-in-10", lines),
        ("clean only", [x for x in lines if x in set(negatives)]),
    ):
        nbytes = sum(len(x.encode()) + 1 for x in subset)
        t0 = time.perf_counter()
        for line in subset:
            redactor.redact(line)
        elapsed = time.perf_counter() - t0
        print(
            f"throughput {label:<14} {nbytes / 1e6:6.1f} MB in {elapsed:6.2f} s = "
            f"{nbytes / 1e6 / elapsed:6.1f} MB/s ({len(subset) / elapsed:,.0f} lines/s)"
            f"  target >= 20 MB/s"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("test", "dev", "all"), default="test")
    parser.add_argument("--mb", type=float, default=8.0, help="MB of log text for throughput")
    parser.add_argument("--no-throughput", action="store_true")
    args = parser.parse_args()
    samples = generate()
    chosen = [s for s in samples if args.split == "all" or s.split == args.split]
    print(
        f"corpus: {len(samples)} lines (seed fixed); evaluating split={args.split}: {len(chosen)}\n"
    )
    failures = evaluate(chosen)
    if not args.no_throughput:
        print()
        throughput(samples, args.mb)
    print(f"\nquality targets missed: {failures}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
