"""`make api-fuzz`: schemathesis against a release server on a fresh database.

Every operation of doc/openapi.json, every check, positive and negative data, in
the examples, coverage, fuzzing and stateful (OpenAPI links) phases, as a banker
(hooks.py passes the banker's bearer token, and hands a request to the customer who
sends it in the stateful chain). The run is bounded by examples per operation and by
--max-time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bank import ROOT, Bank


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-server", default=os.environ.get("PG_SERVER_URL", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--venv", type=Path, required=True)
    parser.add_argument("--max-examples", type=int, default=40)
    parser.add_argument("--max-time", type=int, default=240, help="seconds for the whole schemathesis run")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()

    out = ROOT / "target" / "api-fuzz"
    # The fuzzer signs in with wrong passwords by design: the failed-login limit
    # stays on, far above what a bounded run can reach.
    env = {"LOGIN_FAILURES_PER_USERNAME": "1000000", "LOGIN_FAILURES_PER_ADDRESS": "1000000"}
    with Bank("fuzz", args.pg_server, out, env) as bank:
        # The fuzzer's own user is a banker, so deposits (bankers only) are accepted.
        token = bank.user("fuzz_banker", "banker-password", "Fuzz Banker", banker=True)
        peer = bank.user("fuzz_peer", "peer-password", "Peer Customer")
        # Small ids are drawn most, and both 1 and 2 are USD: account 1 is the banker's,
        # with money, so a transfer from it to 2 (another customer's) or from any other
        # USD account to it can succeed; then one each in EUR and CAD. Transfer 1 exists.
        for currency in ("USD", "EUR", "CAD"):
            mine = bank.expect(201, "POST", "/accounts", {"currency": currency}, token)
            bank.expect(201, "POST", f"/accounts/{mine['id']}/deposits", {"amount": 1_000_000_000}, token)
            theirs = bank.expect(201, "POST", "/accounts", {"currency": currency}, peer)
            if currency == "USD":
                transfer = {"from_account_id": mine["id"], "to_account_id": theirs["id"], "amount": 100}
                bank.expect(201, "POST", "/transfers", {**transfer, "currency": currency}, token)

        command = [
            str(args.venv / "bin" / "schemathesis"),
            "--config-file",
            str(ROOT / "tools" / "api-contract" / "schemathesis.toml"),
            "run",
            str(ROOT / "doc" / "openapi.json"),
            "--url",
            bank.url,
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(args.max_examples),
            "--max-time",
            str(args.max_time),
            "--workers",
            "1",
            "--report",
            "junit",
            "--report-dir",
            str(out),
        ]
        if args.seed is not None:
            command += ["--seed", str(args.seed)]
        print("$ schemathesis run doc/openapi.json --url", bank.url, " ".join(command[7:]), flush=True)
        started = time.monotonic()
        stats = out / "customers.json"
        stats.unlink(missing_ok=True)
        hooks_env = {
            "SCHEMATHESIS_HOOKS": "hooks",
            "PYTHONPATH": str(ROOT / "tools" / "api-contract"),
            "SIMPLEBANK_FUZZ_TOKEN": token,
            "SIMPLEBANK_FUZZ_STATS": str(stats),
        }
        status = subprocess.run(command, cwd=ROOT, env={**os.environ, "NO_COLOR": "1", **hooks_env}).returncode
        sent = json.loads(stats.read_text()) if stats.exists() else {}
        # What the stateful chain's customers sent (hooks.py), e.g. "POST /transfers -> 201".
        print("api-fuzz: sent by customers in the stateful phase:",
              ", ".join(f"{what}: {count}" for what, count in sent.items()) or "nothing", flush=True)
        print(f"api-fuzz: schemathesis exited {status} after {time.monotonic() - started:.0f} s "
              f"(server log: {bank.log_path.relative_to(ROOT)})", flush=True)
        # The chain sign-up -> log in -> open account -> transfer must reach the transfer: a
        # run where no customer sent one has broken links (each run sends dozens). Whether one
        # succeeds depends on the generated amounts and accounts (3 to 17 did in the runs seen).
        transfers_sent = sum(count for what, count in sent.items() if what.startswith("POST /transfers -> "))
        if status == 0 and transfers_sent == 0:
            print("api-fuzz: no customer sent a transfer in the stateful phase: "
                  "the links of the chain are broken", file=sys.stderr, flush=True)
            return 1
        if not sent.get("POST /transfers -> 201"):
            print("api-fuzz: warning: no customer transfer succeeded in this run", flush=True)
        return status


if __name__ == "__main__":
    sys.exit(main())
