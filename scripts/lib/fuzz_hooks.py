"""Schemathesis hooks for scripts/fuzz-api (loaded through SCHEMATHESIS_HOOKS).

The fuzzer finds the ids of the keys it is sent with (GET /v1/keys lists them, GET /v1/admin/usage can group
by them) and feeds them to DELETE /v1/keys/{id} and POST /v1/keys/{id}/rotate: revoking or rotating its own
key (rotation stops the old key at once unless grace_seconds says otherwise) leaves every later case of the
run a 401 and the run mostly untested. Requests on those two routes naming one of the ids in
MF_FUZZ_PROTECTED_KEY_IDS (comma-separated) go out with an id that exists nowhere instead, and are answered
404 like any unknown key. Every other request, those routes' included, is sent as generated.
"""

import os

import schemathesis

PROTECTED_KEY_IDS = frozenset(filter(None, os.environ.get("MF_FUZZ_PROTECTED_KEY_IDS", "").split(",")))
STAND_IN_ID = "key_fuzzApiProtected00"
KEY_ROUTES = ("/v1/keys/{id}", "/v1/keys/{id}/rotate")


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.path not in KEY_ROUTES or not isinstance(case.path_parameters, dict):
        return
    if case.path_parameters.get("id") in PROTECTED_KEY_IDS:
        case.path_parameters["id"] = STAND_IN_ID
