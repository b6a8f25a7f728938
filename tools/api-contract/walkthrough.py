"""`make client-check`: the README walkthrough through the client that
openapi-python-client generated from doc/openapi.json, against a release server on a
fresh database. Prints each step and fails on any mismatch.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bank import ROOT, Bank


class Mismatch(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise Mismatch(what)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--client-dir", type=Path, required=True)
    parser.add_argument("--pg-server", default=os.environ.get("PG_SERVER_URL", "postgresql://postgres@127.0.0.1:5432"))
    args = parser.parse_args()
    sys.path.insert(0, str(args.client_dir.resolve()))

    # Only the generated client talks to the server below; `bank` runs it and the CLI.
    from simple_bank_client import AuthenticatedClient, Client
    from simple_bank_client.api.accounts import create_account, deposit, get_account, list_entries
    from simple_bank_client.api.transfers import create_transfer, get_transfer
    from simple_bank_client.api.users import create_user, get_me, login_user
    from simple_bank_client.models import (
        AccountBody,
        CreateAccountRequest,
        CreateAccountRequestCurrency,
        CreateTransferRequest,
        CreateTransferRequestCurrency,
        CreateUserRequest,
        DepositBody,
        DepositRequest,
        LoginBody,
        LoginRequest,
        TransferBody,
        TransferResultBody,
        UserBody,
        UserBodyRole,
    )

    def ok(response, status: int, model):
        check(
            response.status_code == status and isinstance(response.parsed, model),
            f"expected {status} {model.__name__}, got {int(response.status_code)}: {response.content!r}",
        )
        return response.parsed

    with Bank("client", args.pg_server, ROOT / "target" / "api-client") as bank:
        anonymous = Client(base_url=bank.url, raise_on_unexpected_status=True)
        print(f"server {bank.url} on a fresh database; client generated from doc/openapi.json")

        # 1. Two users
        for username, full_name in (("alice", "Alice Liddell"), ("bob", "Bob Banker")):
            user = ok(
                create_user.sync_detailed(
                    client=anonymous,
                    body=CreateUserRequest(
                        username=username, password="secret123", full_name=full_name, email=f"{username}@example.com"
                    ),
                ),
                201,
                UserBody,
            )
            check(user.username == username and user.role == UserBodyRole.DEPOSITOR, f"new user {user}")
            print(f"1. created user {user.username} ({user.full_name}, {user.email}), role {user.role.value}")

        # 2. bob becomes a banker (command line only); both log in
        bank.cli("user", "set-role", "bob", "banker")
        tokens = {}
        for username in ("alice", "bob"):
            login = ok(
                login_user.sync_detailed(client=anonymous, body=LoginRequest(username=username, password="secret123")),
                200,
                LoginBody,
            )
            tokens[username] = login.access_token
            print(f"2. {username} logged in: session {login.session_id}, role {login.user.role.value}")
        alice = AuthenticatedClient(base_url=bank.url, token=tokens["alice"], raise_on_unexpected_status=True)
        bob = AuthenticatedClient(base_url=bank.url, token=tokens["bob"], raise_on_unexpected_status=True)
        check(ok(get_me.sync_detailed(client=bob), 200, UserBody).role == UserBodyRole.BANKER, "bob is a banker")

        # 3. Each opens a USD account
        accounts = {}
        for name, client in (("alice", alice), ("bob", bob)):
            account = ok(
                create_account.sync_detailed(
                    client=client, body=CreateAccountRequest(currency=CreateAccountRequestCurrency.USD)
                ),
                201,
                AccountBody,
            )
            check(account.owner == name and account.balance == 0, f"new account {account}")
            accounts[name] = account.id
            print(f"3. {name} opened account {account.id} in {account.currency.value}, balance {account.balance}")

        # 4. The banker deposits $100.00 into alice's account
        deposited = ok(
            deposit.sync_detailed(accounts["alice"], client=bob, body=DepositRequest(amount=10000)), 201, DepositBody
        )
        check(deposited.account.balance == 10000 and deposited.entry.amount == 10000, f"deposit {deposited}")
        print(f"4. bob deposited {deposited.entry.amount} into account {deposited.account.id}: "
              f"balance {deposited.account.balance}")

        # 5. Alice sends $25.00 to bob twice with one Idempotency-Key: the money moves once
        transfer_ids = []
        for attempt in (1, 2):
            response = create_transfer.sync_detailed(
                client=alice,
                body=CreateTransferRequest(
                    from_account_id=accounts["alice"],
                    to_account_id=accounts["bob"],
                    amount=2500,
                    currency=CreateTransferRequestCurrency.USD,
                ),
                idempotency_key="7f9c2ba4-rent-2026-11",
            )
            result = ok(response, 201, TransferResultBody)
            replayed = response.headers.get("idempotent-replayed", "false")
            check(replayed == ("true" if attempt == 2 else "false"), f"attempt {attempt}: replayed {replayed}")
            transfer_ids.append(result.transfer.id)
            print(f"5. attempt {attempt}: transfer {result.transfer.id}, {result.transfer.amount} from "
                  f"{result.transfer.from_account_id} to {result.transfer.to_account_id}, replayed {replayed}")
        check(transfer_ids[0] == transfer_ids[1], f"the replay returned another transfer: {transfer_ids}")
        read = ok(get_transfer.sync_detailed(transfer_ids[0], client=bob), 200, TransferBody)
        check(read.amount == 2500, f"transfer {read}")

        # 6. Alice's statement, newest first, and her balance
        entries = list_entries.sync_detailed(accounts["alice"], client=alice, page_id=1, page_size=10)
        check(entries.status_code == 200 and isinstance(entries.parsed, list), f"entries: {entries.content!r}")
        amounts = [entry.amount for entry in entries.parsed]
        print(f"6. statement of account {accounts['alice']}, newest first: {amounts}")
        check(amounts == [-2500, 10000], f"statement {amounts}")
        balance = ok(get_account.sync_detailed(accounts["alice"], client=alice), 200, AccountBody).balance
        print(f"6. balance of account {accounts['alice']}: {balance}")
        check(balance == 7500, f"balance {balance}, expected 7500")
        bob_balance = ok(get_account.sync_detailed(accounts["bob"], client=bob), 200, AccountBody).balance
        check(bob_balance == 2500, f"bob's balance {bob_balance}, expected 2500")
    print("client-check: the README walkthrough passed through the generated client")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Mismatch as mismatch:
        print(f"client-check: MISMATCH: {mismatch}", file=sys.stderr)
        sys.exit(1)
