#!/usr/bin/env python3
"""Offline check of a Grafana dashboard against the metrics the server exports.

    check-dashboard.py DASHBOARD.json METRIC_NAMES.txt

METRIC_NAMES.txt lists every sample name the server can expose, one per line
(`simplebank metric-names`; a test keeps the committed list equal to what the server
registers). Fails when the file is not valid JSON, a panel lacks a query, a query's
brackets do not balance, or a query names a metric the server does not export.
"""

import json
import re
import sys

STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
# A selector: a metric name followed by label matchers or a range.
SELECTOR = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{\[]")
OURS = re.compile(r"\bsimplebank_[a-zA-Z0-9_:]*")
PAIRS = {")": "(", "]": "[", "}": "{"}


def balanced(expr):
    stack = []
    for char in STRING.sub('""', expr):
        if char in "([{":
            stack.append(char)
        elif char in PAIRS:
            if not stack or stack.pop() != PAIRS[char]:
                return False
    return not stack


def metrics_of(expr):
    bare = STRING.sub('""', expr)
    return set(SELECTOR.findall(bare)) | set(OURS.findall(bare))


def queries(dashboard):
    """(where, expr) for every panel target and query variable."""
    found = []
    for panel in dashboard.get("panels", []):
        inner = panel.get("panels", []) if panel.get("type") == "row" else [panel]
        for item in inner:
            for target in item.get("targets", []):
                found.append((f"panel {item.get('title')!r} {target.get('refId')}", target.get("expr", "")))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable.get("query")
            expr = query.get("query") if isinstance(query, dict) else query
            found.append((f"variable {variable.get('name')!r}", expr or ""))
    return found


def main(dashboard_path, names_path):
    errors = []
    try:
        with open(dashboard_path, encoding="utf-8") as file:
            dashboard = json.load(file)
    except (OSError, json.JSONDecodeError) as err:
        print(f"{dashboard_path}: not valid JSON: {err}", file=sys.stderr)
        return 1
    with open(names_path, encoding="utf-8") as file:
        exported = {line.strip() for line in file if line.strip()}

    for key in ("title", "uid", "panels"):
        if key not in dashboard:
            errors.append(f"the dashboard has no {key!r}")
    ids = [panel.get("id") for panel in dashboard.get("panels", [])]
    if len(ids) != len(set(ids)) or None in ids:
        errors.append("panel ids must be present and unique")
    for panel in dashboard.get("panels", []):
        if panel.get("type") != "row" and not panel.get("targets"):
            errors.append(f"panel {panel.get('title')!r} has no query")

    checked = 0
    for where, expr in queries(dashboard):
        checked += 1
        if not expr.strip():
            errors.append(f"{where}: empty query")
            continue
        if not balanced(expr):
            errors.append(f"{where}: unbalanced brackets in {expr}")
        # label_values(metric, label) names its metric without a selector.
        named = metrics_of(expr) | set(re.findall(r"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)", expr))
        if not named:
            errors.append(f"{where}: names no metric: {expr}")
        for name in sorted(named - exported):
            errors.append(f"{where}: {name} is not a metric the server exports")

    for error in errors:
        print(f"{dashboard_path}: {error}", file=sys.stderr)
    if errors:
        return 1
    print(f"   {dashboard_path}: valid JSON, {checked} queries, every metric exported")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
