"""Every operation of the OpenAPI document, fuzzed by schemathesis against the WSGI app:
valid and invalid inputs generated from the schema (positive and negative mode), the device
API called with a real device token. No answer may be a server error, and every answer must
be one the document describes (status, content type, headers, body schema)."""
from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from schemathesis.specs.openapi import checks as oc

from guides.loader import load_content
from guides.release import ReleaseStore
from tests.conftest import FIXTURES



def invalid_input_refused(ctx, response, case):
    """schemathesis' negative_data_rejection, with 413 (too large) counted as a refusal too."""
    if response.status_code == 413:
        return True
    return oc.negative_data_rejection(ctx, response, case)


CHECKS = [
    schemathesis.checks.not_a_server_error,
    oc.status_code_conformance,
    oc.content_type_conformance,
    oc.response_headers_conformance,
    oc.response_schema_conformance,
    invalid_input_refused,
]


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory):
    from guide_server import create_app

    root = tmp_path_factory.mktemp("fuzz")
    ReleaseStore(root / "instance").publish(load_content(FIXTURES / "valid"))
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(root / "instance"), "PROPAGATE_EXCEPTIONS": False})
    fleet = app.extensions["fleet"]
    code, _ = fleet.enroll("测试大厅", "fuzz-01")
    _kiosk, token = fleet.redeem(code, {})
    app.config["FUZZ_TOKEN"] = token
    return app


@pytest.fixture(scope="module")
def api_schema(fuzzed_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app)
    # unknown query parameters are ignored (as HTTP APIs do); the device token is the test's own
    schema.config.generation.update(allow_extra_parameters=True, with_security_parameters=False)
    return schema


def _negatable(op: dict) -> bool:
    """True when an operation takes something the negative mode can make invalid: a body, or
    a parameter with a type or constraint beyond "any string"."""
    if "requestBody" in op:
        return True
    return any(set(p.get("schema", {})) - {"type"} or p.get("schema", {}).get("type") != "string"
               for p in op.get("parameters", []))


def _cases() -> list[tuple[str, str, str]]:
    """(method, path, mode) for every documented operation (test_api checks these are all the
    app's /api/ routes): positive mode for all, negative mode where there is input to spoil."""
    from guide_server.api.models import openapi_document
    from guide_server.fleet.schemas import device_part

    out = []
    for path, item in openapi_document([device_part()])["paths"].items():
        for method, op in item.items():
            out.append((method, path, "positive"))
            if _negatable(op):
                out.append((method, path, "negative"))
    return out


@pytest.mark.parametrize("method, path, mode", _cases())
def test_every_operation_answers_as_documented(api_schema, fuzzed_app, method, path, mode):
    operation = api_schema[path][method.upper()]
    # the WSGI transport does not undo gzip; the compressed answers are checked by the sync tests
    headers = {"Accept-Encoding": "identity"}
    if path.startswith("/api/v1/device/") and path != "/api/v1/device/enroll":
        headers["Authorization"] = f"Bearer {fuzzed_app.config['FUZZ_TOKEN']}"
    strategy = operation.as_strategy(schemathesis.GenerationMode(mode))

    @hypothesis.given(case=strategy)
    @hypothesis.settings(max_examples=30, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
