#!/usr/bin/env python3
"""Validate the Kubernetes manifests in eks/ offline, failing on anything unknown.

Core kinds go through kubernetes-validate (its bundled Kubernetes JSON schemas) in strict mode,
pinned to one Kubernetes version: a misspelt field such as `readinesProbe` or
`initialDelaySecond` is an error. Kinds that are not in the core schemas (cert-manager's
ClusterIssuer, kustomize's Kustomization) are validated against the schemas in deploy/schemas/.
A kind that neither knows is an error too, where the kubernetes-validate CLI would only warn.
Then the objects are checked against each other (probe, Service, Ingress and HPA references, and
terminationGracePeriodSeconds longer than preStop + SHUTDOWN_TIMEOUT).

usage: validate-manifests.py --kubernetes-version 1.34.0 --schemas deploy/schemas eks/*.yaml
"""

import argparse
import json
import os
import re
import sys

import jsonschema
import kubernetes_validate.utils as kv
import yaml
from referencing import Registry, Resource

# (apiVersion, kind) -> schema file in --schemas
LOCAL_SCHEMAS = {
    ("cert-manager.io/v1", "ClusterIssuer"): "clusterissuer-cert-manager-v1.json",
    ("kustomize.config.k8s.io/v1beta1", "Kustomization"): "kustomization-v1beta1.json",
}


def path_of(error):
    return ".".join(str(part) for part in error.absolute_path) or "(top level)"


def name_of(document):
    metadata = document.get("metadata") or {}
    return f"{document.get('kind', '?')}/{metadata.get('name', '-')}"


def check_local(document, schema_file, filename):
    with open(schema_file, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    problems = [f"{path_of(e)}: {e.message}" for e in errors]
    if document.get("kind") == "Kustomization":
        base = os.path.dirname(filename)
        for resource in document.get("resources") or []:
            if isinstance(resource, str) and not os.path.exists(os.path.join(base, resource)):
                problems.append(f"resources: {resource!r} does not exist next to {filename}")
    return problems


def core_validator(document, version):
    """kubernetes-validate's strict schema for the document, as its validate() picks it, so that
    every error is reported (validate() stops at the first)."""
    schema_version = [v for v in kv.all_versions() if kv.major_minor(v) <= kv.major_minor(version)][-1]
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", document["apiVersion"])
    folder = f"kubernetes-json-schema/v{schema_version}-local-strict"
    schema = kv.schema_contents(f"{folder}/{document['kind'].lower()}-{group_version}.json", version)
    definitions = kv.schema_contents(f"{folder}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def check_core(document, version):
    try:
        validator = core_validator(document, version)
    except FileNotFoundError:
        return [
            f"unknown kind: no schema for kind {document['kind']} with apiVersion "
            f"{document['apiVersion']} in Kubernetes {kv.major_minor(version)}"
        ]
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{path_of(e)}: {e.message}" for e in errors]


def go_seconds(text):
    """Go duration (as SHUTDOWN_TIMEOUT takes it) in seconds: 20s, 1m30s, 1500ms."""
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    parts = re.findall(r"([0-9.]+)(ns|us|µs|ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a Go duration: {text!r}")
    return sum(float(n) * units[u] for n, u in parts)


def cross_check(documents):
    """What no schema can see: the objects must refer to each other correctly."""
    by_kind = {}
    for _, document in documents:
        by_kind.setdefault(document.get("kind"), {})[(document.get("metadata") or {}).get("name")] = document
    deployments = by_kind.get("Deployment", {})
    services = by_kind.get("Service", {})
    problems = []
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        labels = deployment["spec"]["template"]["metadata"].get("labels", {})
        for container in pod["containers"]:
            ports = {p.get("name") for p in container.get("ports", [])}
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                port = ((container.get(probe) or {}).get("httpGet") or {}).get("port")
                if isinstance(port, str) and port not in ports:
                    problems.append(f"Deployment/{name}: {probe} uses port {port!r}, not a container port")
            env = {e["name"]: e.get("value") for e in container.get("env", [])}
            drain = go_seconds(env.get("SHUTDOWN_TIMEOUT") or "20s")
            pre_stop = (((container.get("lifecycle") or {}).get("preStop") or {}).get("sleep") or {}).get("seconds", 0)
            grace = pod.get("terminationGracePeriodSeconds", 30)
            if grace <= drain + pre_stop:
                problems.append(
                    f"Deployment/{name}: terminationGracePeriodSeconds {grace} must be longer than "
                    f"preStop sleep {pre_stop}s + SHUTDOWN_TIMEOUT {drain:g}s"
                )
        for service_name, service in services.items():
            selector = service["spec"].get("selector", {})
            if selector and all(labels.get(k) == v for k, v in selector.items()):
                container_ports = {p.get("name") for c in pod["containers"] for p in c.get("ports", [])}
                for port in service["spec"].get("ports", []):
                    target = port.get("targetPort")
                    if isinstance(target, str) and target not in container_ports:
                        problems.append(f"Service/{service_name}: targetPort {target!r} is not a port of Deployment/{name}")
    for name, service in services.items():
        selector = service["spec"].get("selector", {})
        if selector and not any(
            all(d["spec"]["template"]["metadata"].get("labels", {}).get(k) == v for k, v in selector.items())
            for d in deployments.values()
        ):
            problems.append(f"Service/{name}: its selector {selector} matches no Deployment's pods")
    for name, ingress in by_kind.get("Ingress", {}).items():
        for rule in ingress["spec"].get("rules", []):
            for path in (rule.get("http") or {}).get("paths", []):
                backend = path["backend"].get("service") or {}
                service = services.get(backend.get("name"))
                if service is None:
                    problems.append(f"Ingress/{name}: backend service {backend.get('name')!r} is not defined")
                    continue
                port = backend.get("port", {})
                names = {p.get("name") for p in service["spec"].get("ports", [])}
                numbers = {p.get("port") for p in service["spec"].get("ports", [])}
                if ("name" in port and port["name"] not in names) or ("number" in port and port["number"] not in numbers):
                    problems.append(f"Ingress/{name}: backend port {port} is not a port of Service/{backend.get('name')}")
    for name, hpa in by_kind.get("HorizontalPodAutoscaler", {}).items():
        target = hpa["spec"]["scaleTargetRef"]
        if target.get("kind") == "Deployment" and target.get("name") not in deployments:
            problems.append(f"HorizontalPodAutoscaler/{name}: Deployment {target.get('name')!r} is not defined")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubernetes-version", required=True)
    parser.add_argument("--schemas", required=True, help="folder with the non-core schemas")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    supported = {kv.major_minor(v) for v in kv.all_versions()}
    if kv.major_minor(args.kubernetes_version) not in supported:
        print(f"FATAL kubernetes-validate has no schemas for Kubernetes {args.kubernetes_version}")
        return 2

    failed = 0
    checked = 0
    valid_documents = []
    for filename in args.files:
        try:
            with open(filename, encoding="utf-8") as f:
                documents = [d for d in yaml.safe_load_all(f) if d is not None]
        except (OSError, yaml.YAMLError) as e:
            print(f"ERROR {filename}: cannot read YAML: {e}")
            failed += 1
            continue
        if not documents:
            print(f"ERROR {filename}: no Kubernetes object in the file")
            failed += 1
            continue
        for document in documents:
            checked += 1
            if not isinstance(document, dict) or "apiVersion" not in document or "kind" not in document:
                print(f"ERROR {filename}: a document without apiVersion and kind")
                failed += 1
                continue
            key = (document["apiVersion"], document["kind"])
            if key in LOCAL_SCHEMAS:
                against = f"deploy/schemas/{LOCAL_SCHEMAS[key]}"
                problems = check_local(document, os.path.join(args.schemas, LOCAL_SCHEMAS[key]), filename)
            else:
                against = f"Kubernetes {kv.major_minor(args.kubernetes_version)} (strict)"
                problems = check_core(document, args.kubernetes_version)
            if problems:
                failed += 1
                for problem in problems:
                    print(f"ERROR {filename} {name_of(document)} against {against}: {problem}")
            else:
                print(f"ok    {filename} {name_of(document)} against {against}")
                valid_documents.append((filename, document))
    cross_problems = [] if failed else cross_check(valid_documents)
    for problem in cross_problems:
        print(f"ERROR cross-reference: {problem}")
    print(f"{checked - failed} objects valid, {failed} invalid, {len(cross_problems)} cross-reference problems")
    return 1 if failed or cross_problems else 0


if __name__ == "__main__":
    sys.exit(main())
