#!/usr/bin/env python3
"""Recall of NIL404–NIL407 against the independent audit (scripts/audit/isolation_api_audit.py).

    python scripts/audit/recall.py tests/data/audit/2fafd1dd.json LINT.json [--misses]

LINT.json is the linter's ``--format json`` output on the same tree (run from the directory holding
``netra_backend``). Audit kinds map to codes: missing-method NIL404; bad-arguments and bad-constructor NIL405;
await-sync and unawaited-coroutine NIL406; out-of-order NIL407. Only ``app/`` (production code) counts.
"""

from __future__ import annotations

import argparse
import json

KIND = {"missing-method": "NIL404", "bad-arguments": "NIL405", "bad-constructor": "NIL405", "await-sync": "NIL406",
        "unawaited-coroutine": "NIL406", "out-of-order": "NIL407"}
CODES = ("NIL404", "NIL405", "NIL406", "NIL407")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audit")
    parser.add_argument("lint")
    parser.add_argument("--misses", action="store_true", help="list every audit finding the linter does not report")
    args = parser.parse_args(argv)
    with open(args.audit, encoding="utf-8") as handle:
        truth = {(f["path"], f["line"], KIND[f["kind"]]): f for f in json.load(handle)["findings"]}
    with open(args.lint, encoding="utf-8") as handle:
        found = {(r["path"], r["line"], r["code"]) for r in json.load(handle)
                 if r["code"] in CODES and "/app/" in r["path"]}
    print("| code | audit | linter | both | recall |\n|---|---|---|---|---|")
    for code in CODES:
        expected = {k for k in truth if k[2] == code}
        reported = {k for k in found if k[2] == code}
        recall = f"{len(expected & reported) / len(expected):.0%}" if expected else "n/a"
        print(f"| {code} | {len(expected)} | {len(reported)} | {len(expected & reported)} | {recall} |")
    if args.misses:
        for key in sorted(set(truth) - found):
            f = truth[key]
            print(f"miss {key[0]}:{key[1]} {key[2]} {f['kind']} {f['receiver_text']}.{f['method']} ({f['evidence']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
