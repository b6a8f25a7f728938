"""schemathesis hooks for `make api-fuzz` (loaded through SCHEMATHESIS_HOOKS).

schemathesis reads the Unicode classes of a pattern (`\\p{L}`, `\\p{M}`) through
approximations made of whole Unicode blocks, unassigned code points included (for
`\\p{M}`: U+20F1..U+20FF). Such a code point is in no category, so it matches neither
the spec's pattern (as a real regex engine reads it) nor the server's rule: a "valid"
case holding one is not valid. Those cases are dropped; every other case runs.

A `page_token` is valid only when this server issued it (it carries a checksum and is
bound to its list and account), which no schema can express: a made-up token that
matches the spec's pattern is rightly refused with 400. Cases that send one are
dropped; the keyset pages are tested in tests/integration/{http_api,grpc_api}/pages.rs.
"""

import unicodedata

import schemathesis


def _has_unassigned(value) -> bool:
    if isinstance(value, str):
        return any(unicodedata.category(char) == "Cn" for char in value)
    if isinstance(value, dict):
        return any(_has_unassigned(key) or _has_unassigned(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_unassigned(item) for item in value)
    return False


@schemathesis.hook
def filter_body(context, body) -> bool:
    return not _has_unassigned(body)


@schemathesis.hook
def filter_query(context, query) -> bool:
    return not (isinstance(query, dict) and "page_token" in query)
