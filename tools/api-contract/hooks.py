"""schemathesis hooks for `make api-fuzz` (loaded through SCHEMATHESIS_HOOKS).

Who sends each request
----------------------
Every request carries the bearer token of the fuzz run's banker
(SIMPLEBANK_FUZZ_TOKEN, set by fuzz.py), through an auth provider rather than a
fixed `--header`, so that schemathesis knows it as the run's credentials (its auth
checks strip or spoil it) and so that the hooks below can hand a request to another
signed-in user. The stateful phase follows the links sign-up -> log in -> open an
account -> deposit -> transfer -> read; the customer who just logged in opens the
account and sends the transfer, the banker deposits (only bankers may) and reads:

- a user who logs in successfully becomes a customer of the run (until a request
  with their access token is refused with 401: they logged out);
- `create_account` is sent by the last customer to log in who holds no account in
  that currency yet (a user holds one per currency), otherwise by the banker;
- `create_transfer` is sent by the owner of `from_account_id` when that owner is a
  customer of the run (otherwise by the banker, refused with 403 unless the account
  is the banker's own).
Only the stateful phase hands requests over; the other phases send every request
as the banker.

Rules no JSON Schema can state
------------------------------
Both are case hooks, which schemathesis applies in every phase (examples, coverage,
fuzzing, stateful); the per-parameter hooks (`filter_query`, `filter_body`, ...) are
skipped by the coverage phase.

schemathesis reads the Unicode classes of a pattern (`\\p{L}`, `\\p{M}`) through
approximations made of whole Unicode blocks, unassigned code points included (for
`\\p{M}`: U+20F1..U+20FF). Such a code point is in no category, so it matches neither
the spec's pattern (as a real regex engine reads it) nor the server's rule: a "valid"
case holding one is not valid. Those cases are dropped; every other case runs.

A `page_token` is opaque: only a `Next-Page-Token` the server issued for the same
list of the same account is valid (the spec says so in words; the pattern gives only
its shape), so a made-up token that matches the pattern is rightly refused with 400.
A case meant to be valid is sent without the `page_token` schemathesis made up (the
parameter is optional, so the case stays valid and still tests everything else).
Cases meant to be invalid keep theirs: a token the server did not issue is one more
reason for their 400. The pages have their own tests, issued tokens included
(tests/integration/{http_api,grpc_api}/pages.rs).
"""

import atexit
import json
import os
import unicodedata
from collections import Counter

import schemathesis

BANKER_TOKEN = os.environ.get("SIMPLEBANK_FUZZ_TOKEN", "")
if not BANKER_TOKEN:
    raise RuntimeError("SIMPLEBANK_FUZZ_TOKEN is not set: run the fuzzer through `make api-fuzz`")

# The users who logged in during the run (access token by username), in order; the
# currencies each holds an account in; the owner of each account opened.
_tokens: dict[str, str] = {}
_holdings: dict[str, set[str]] = {}
_owners: dict[int, str] = {}
# Requests handed to a customer, and what came of them (SIMPLEBANK_FUZZ_STATS, for fuzz.py).
_sent_by_customers: dict[str, str] = {}
_outcomes: Counter = Counter()


@atexit.register
def _write_outcomes() -> None:
    path = os.environ.get("SIMPLEBANK_FUZZ_STATS")
    if path:
        with open(path, "w") as out:
            json.dump({f"{operation} -> {status}": count for (operation, status), count in sorted(_outcomes.items())}, out)


@schemathesis.auth(refresh_interval=None, retry_on=[])
class Banker:
    def get(self, case, context):
        return BANKER_TOKEN

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


def _is(case, method: str, path: str) -> bool:
    return case.operation.method.upper() == method and case.operation.path == path


def _sender(case) -> str | None:
    """The customer who sends this request, or None for the banker."""
    meta = case.meta
    if meta is None or meta.phase.name != "stateful" or not isinstance(case.body, dict):
        return None
    if _is(case, "POST", "/accounts"):
        # The last customer to log in who has no account in that currency yet.
        currency = case.body.get("currency")
        return next((user for user in reversed(_tokens) if currency not in _holdings.get(user, ())), None)
    if _is(case, "POST", "/transfers"):
        account = case.body.get("from_account_id")
        if isinstance(account, (int, float)) and not isinstance(account, bool):
            owner = _owners.get(account)
            return owner if owner in _tokens else None
    return None


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    # Only a request that carries the banker's token changes hands; one whose
    # credentials schemathesis removed or replaced stays as it is.
    headers = case.headers or {}
    if headers.get("Authorization") != f"Bearer {BANKER_TOKEN}":
        return
    user = _sender(case)
    if user:
        headers["Authorization"] = f"Bearer {_tokens[user]}"
        _sent_by_customers[case.id] = user


def _json(response):
    try:
        return json.loads(response.content)
    except (TypeError, ValueError):
        return None


@schemathesis.hook
def after_call(context, case, response) -> None:
    status = response.status_code
    customer = _sent_by_customers.get(case.id)
    if customer:
        _outcomes[(case.operation.label, status)] += 1
        if status == 401:
            # Logged out since (the Logout link): no longer a customer of the run.
            _tokens.pop(customer, None)
        elif status == 409 and _is(case, "POST", "/accounts"):
            _holdings.setdefault(customer, set()).add(case.body.get("currency"))
    if status == 200 and _is(case, "POST", "/users/login"):
        body = _json(response)
        if isinstance(body, dict) and isinstance(body.get("user"), dict):
            username = body["user"].get("username")
            if isinstance(username, str) and isinstance(body.get("access_token"), str):
                _tokens.pop(username, None)  # to the end: the last to log in
                _tokens[username] = body["access_token"]
    elif status == 201 and _is(case, "POST", "/accounts"):
        body = _json(response)
        if isinstance(body, dict) and isinstance(body.get("id"), int) and isinstance(body.get("owner"), str):
            _owners[body["id"]] = body["owner"]
            _holdings.setdefault(body["owner"], set()).add(body.get("currency"))


def _has_unassigned(value) -> bool:
    if isinstance(value, str):
        return any(unicodedata.category(char) == "Cn" for char in value)
    if isinstance(value, dict):
        return any(_has_unassigned(key) or _has_unassigned(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_unassigned(item) for item in value)
    return False


@schemathesis.hook
def filter_case(context, case) -> bool:
    return not _has_unassigned(case.body)


@schemathesis.hook
def map_case(context, case):
    query = case.query
    meta = case.meta
    if isinstance(query, dict) and "page_token" in query and meta is not None and meta.generation.mode.is_positive:
        case.query = {name: value for name, value in query.items() if name != "page_token"}
    return case
