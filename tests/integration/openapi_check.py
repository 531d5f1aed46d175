"""Checks answers of the HTTP API against its description, api/openapi.json
(OpenAPI 3.1: its schemas are JSON Schema 2020-12, checked with
python3-jsonschema). Every status an endpoint answers must be documented
for it, with the content type, headers and body shape it has."""

import json
from pathlib import Path

import jsonschema

DOC = json.loads((Path(__file__).resolve().parents[2] / "api" / "openapi.json").read_text())
_RESOLVER = jsonschema.RefResolver.from_schema(DOC)


def _resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        _, node = _RESOLVER.resolve(node["$ref"])
    return node


def operation(method, path):
    """The operation of DOC for METHOD and PATH (a concrete path, query ignored)."""
    segments = path.split("?")[0].rstrip("/").split("/")
    for template, item in DOC["paths"].items():
        parts = template.rstrip("/").split("/")
        if len(parts) == len(segments) and all(p == s or (p.startswith("{") and s) for p, s in zip(parts, segments)):
            op = item.get("head" if method == "HEAD" and "head" in item else "get" if method == "HEAD" else
                          method.lower())
            assert op, f"{method} {template} is not documented"
            return template, op
    raise AssertionError(f"{method} {path} matches no documented path")


def check(method, path, answer):
    """Asserts ANSWER (a serve_helpers.ApiAnswer) is what DOC says METHOD PATH answers."""
    template, op = operation(method, path)
    response = _resolve(op["responses"].get(str(answer.status)))
    assert response, f"{method} {template}: status {answer.status} is not documented ({answer!r})"
    for name in response.get("headers", {}):
        assert name.lower() in answer.headers, f"{method} {template} {answer.status}: no {name} header"
    if not answer.text and "no body" in response["description"]:
        return
    content = response.get("content")
    assert content, f"{method} {template} {answer.status}: a body where none is documented ({answer!r})"
    assert answer.content_type in content, f"{method} {template} {answer.status}: {answer.content_type} " \
                                           f"is not one of {list(content)}"
    schema = content[answer.content_type]["schema"]
    instance = answer.json if answer.content_type == "application/json" else answer.text
    if answer.content_type == "application/json":
        assert answer.json is not None or answer.text == "null", f"not JSON: {answer.text!r:.200}"
    jsonschema.Draft202012Validator(schema, resolver=_RESOLVER).validate(instance)


def check_schema(name, instance):
    """Asserts INSTANCE matches the component schema NAME."""
    jsonschema.Draft202012Validator(DOC["components"]["schemas"][name], resolver=_RESOLVER).validate(instance)
