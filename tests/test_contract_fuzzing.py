"""Contract fuzzing (issue 9): schemathesis generates requests from the published API
descriptions — every operation of the committed OpenAPI document (``/api/schema/`` serves the
same; tests/test_schema_files.py keeps the file current) and every root field of the GraphQL
schema — and sends them in process, anonymously and with an editor's token, against a small
world with a published and a draft record of every resource (``tests/fuzzing.py``).

REST, for every answer:

- ``not_a_server_error``: no 5xx;
- ``status_code_conformance``, ``content_type_conformance``, ``response_schema_conformance``,
  ``response_headers_conformance``: the status code, content type, body and headers are the
  ones the description documents for the operation;
- ``negative_data_rejection``: a request the description forbids (wrong type, format or enum,
  a missing required field, an unknown parameter) is refused with a 4xx;
- ``ignored_auth``: an operation that requires credentials refuses a request without them;
- ``schema_valid_queries_accepted`` (``tests/fuzzing.py``): a read with query parameters the
  description allows is not refused, except for what no description can say — whether a
  department code exists, whether a cursor was issued by the server.

Left out: ``positive_data_acceptance`` (every schema-valid request is accepted). The registry
refuses, with a 400 naming the field, schema-valid writes that break a rule of the law it
implements or name a row that does not exist (a deadline shorter than the legal minimum, a
decision of another department, an unknown department code); the description cannot express
those rules, so the check would only measure how often random data happens to satisfy them.
Reads are covered by ``schema_valid_queries_accepted`` instead. The checks of schemathesis'
coverage and stateful phases (``missing_required_header``, ``unsupported_method``,
``use_after_free``, ``ensure_resource_availability``) have nothing to judge here: those
phases are not run (the coverage phase sends every boundary value of every parameter, tens of
requests per operation, more than the suite's time allows).

GraphQL, for every answer: no 5xx and no error raised while resolving a field other than an
answer to bad input (the registry marks those ``BAD_USER_INPUT``; an exception escaping a
resolver carries no code), the response is a GraphQL response that keeps the schema's
non-null promises, and a query the schema forbids is refused. ``positive_data_acceptance`` is
left out for the same reason as in REST (filters are strings whose values the resolvers check;
``first``/``last`` and the cost limits are rules outside the type system).

The cases are derandomized (CI sends the same ones every run) and few per operation, so the
module stays within a minute or so; the number sent is printed at the end of the module."""

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import fuzzing

pytestmark = pytest.mark.xdist_group("contract_fuzzing")

REST = fuzzing.openapi_schema()
GRAPH = fuzzing.graphql_schema()
REST_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    ignored_auth,
    fuzzing.schema_valid_queries_accepted,
]
GRAPHQL_CHECKS = [not_a_server_error, response_schema_conformance, negative_data_rejection]
TALLY = fuzzing.Tally()


def fuzz(operation, examples, send):
    """``send`` ``examples`` cases of ``operation``, the same every run; a failure is
    reported as found, without shrinking it."""

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(case=fuzzing.cases(operation))
    def run(case):
        send(case)

    run()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once, in a transaction rolled back after the module (uploads go to a directory
    of the module's own)."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            yield fuzzing.build_world()
            transaction.set_rollback(True)


@pytest.fixture(scope="module", autouse=True)
def _report_tally():
    yield
    print(TALLY.summary())


@pytest.fixture
def w(world, db, settings):
    """The module's data, aimed at by the generated ids. Token sign-in and public comments
    have narrower limits of their own (10 a minute, 10 an hour per address): the fuzzer sends
    more, and a 429 would hide what the view does with the data."""
    fuzzing.TARGETS.update(world.records)
    settings.REGISTRY_LOGIN_RATE = "100000/minute"
    settings.REGISTRY_COMMENT_RATE = "100000/hour"
    with fuzzing.kept_connection():
        yield world


def editor(w):
    return {"Authorization": f"Token {w.tokens['editor']}"}


def call(test, case, checks, headers=None):
    response = case.call(headers=headers)
    TALLY.count(test, response)
    case.validate_response(response, checks=checks, headers=headers)


@pytest.mark.parametrize("operation", fuzzing.operations(REST, reads=True))
def test_rest_reads_anonymously(operation, w):
    fuzz(operation, 6, lambda case: call("REST reads, anonymous", case, REST_CHECKS))


# Writes without credentials are answered 401 before their bodies are read (but for the token
# sign-in and public comments, which the editor's run fuzzes too): a few cases show it.
@pytest.mark.parametrize("operation", fuzzing.operations(REST, reads=False))
def test_rest_writes_anonymously(operation, w):
    fuzz(operation, 2, lambda case: call("REST writes, anonymous", case, REST_CHECKS))


@pytest.mark.parametrize("operation", fuzzing.operations(REST))
def test_rest_as_editor(operation, w):
    fuzz(operation, 4, lambda case: call("REST, editor", case, REST_CHECKS, editor(w)))


@pytest.mark.parametrize("operation", fuzzing.operations(GRAPH))
def test_graphql_anonymously(operation, w):
    fuzz(operation, 8, lambda case: call("GraphQL, anonymous", case, GRAPHQL_CHECKS))


@pytest.mark.parametrize("operation", fuzzing.operations(GRAPH))
def test_graphql_as_editor(operation, w):
    fuzz(operation, 8, lambda case: call("GraphQL, editor", case, GRAPHQL_CHECKS, editor(w)))
