"""`make api-fuzz`: schemathesis against a release server on a fresh database.

Every operation of doc/openapi.json, every check, positive and negative data, in
the examples, coverage, fuzzing and stateful (OpenAPI links) phases, with a banker's
bearer token. The run is bounded by examples per operation and by --max-time.
"""

from __future__ import annotations

import argparse
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
        # Another customer's accounts come first, so that small generated ids exist
        # (USD 1, EUR 2, CAD 3) and transfers to them can succeed.
        peer = bank.user("fuzz_peer", "peer-password", "Peer Customer")
        for currency in ("USD", "EUR", "CAD"):
            bank.expect(201, "POST", "/accounts", {"currency": currency}, peer)
        # The fuzzer's own user is a banker, so deposits (bankers only) are accepted
        # and the stateful phase can go account -> deposit -> transfer -> read.
        token = bank.user("fuzz_banker", "banker-password", "Fuzz Banker", banker=True)
        # With money in a USD account of its own, a transfer to account 1 (a small id,
        # often drawn) can succeed.
        own = bank.expect(201, "POST", "/accounts", {"currency": "USD"}, token)
        bank.expect(201, "POST", f"/accounts/{own['id']}/deposits", {"amount": 1_000_000_000}, token)

        command = [
            str(args.venv / "bin" / "schemathesis"),
            "--config-file",
            str(ROOT / "tools" / "api-contract" / "schemathesis.toml"),
            "run",
            str(ROOT / "doc" / "openapi.json"),
            "--url",
            bank.url,
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--mode",
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
        print("$ schemathesis run doc/openapi.json --url", bank.url, " ".join(command[8:]).replace(token, "***"), flush=True)
        started = time.monotonic()
        hooks_env = {"SCHEMATHESIS_HOOKS": "hooks", "PYTHONPATH": str(ROOT / "tools" / "api-contract")}
        status = subprocess.run(command, cwd=ROOT, env={**os.environ, "NO_COLOR": "1", **hooks_env}).returncode
        print(f"api-fuzz: schemathesis exited {status} after {time.monotonic() - started:.0f} s "
              f"(server log: {bank.log_path.relative_to(ROOT)})", flush=True)
        return status


if __name__ == "__main__":
    sys.exit(main())
