"""GraphQL endpoint: the REST token authenticates here too, responses are UTF-8 (not
``\\u`` escapes), and GraphiQL is served from our own static files.

Each request is checked against ``settings.GRAPHQL_LIMITS`` (:mod:`registry.graphql.limits`)
before graphql-core's standard validation; parsed documents and their validation errors are
cached per query text; a query runs in one read-only snapshot under a statement timeout; and
GET responses can be cached over HTTP (ETag by ``ConditionalGetMiddleware``)."""

import functools
import json
import threading
from collections import OrderedDict

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.http.response import HttpResponseBadRequest, HttpResponseNotAllowed
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    ExecutionResult,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    validate,
    validate_schema,
)
from graphql.error import GraphQLError
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from registry.api.authentication import TokenAuthentication
from registry.api.errors import database_unavailable
from registry.graphql import limits
from registry.graphql.filtering import name_variable_errors, validation_rules

VARY = ("Accept-Language", "Authorization", "Cookie")
PUBLIC_MAX_AGE = 60  # seconds an anonymous GET answer may be reused by any cache


class ParsedQuery:
    """A query text parsed once: its ``document``, or the syntax ``error`` and how deeply
    ``{`` nest in it; and graphql-core's standard validation errors, once per schema."""

    def __init__(self, query):
        self.document, self.error, self.nesting = None, None, 0
        try:
            self.document = parse(query)
        except GraphQLError as error:  # the parser reports too deep nesting as a syntax error
            self.error, self.nesting = error, limits.brace_nesting(query)
        self._validated = {}

    def validation_errors(self, schema, rules):
        """The standard validation errors against ``schema`` (a process has one)."""
        if (schema, rules) not in self._validated:
            errors = validate(schema, self.document, rules, graphene_settings.MAX_VALIDATION_ERRORS)
            self._validated[schema, rules] = tuple(errors)
        return self._validated[schema, rules]


class QueryCache:
    """The most recently used :class:`ParsedQuery` by query text, so repeated queries skip
    parsing and validation (they dominate the CPU of big queries). Bounded by entries and by
    characters of query text: a parsed document takes some 200 bytes per character."""

    def __init__(self, max_entries=256, max_chars=200_000):
        self.max_entries, self.max_chars = max_entries, max_chars
        self.entries = OrderedDict()
        self.chars = 0
        self.lock = threading.Lock()

    def get(self, query):
        """The :class:`ParsedQuery` of ``query``, parsed now if not in the cache."""
        with self.lock:
            if query in self.entries:
                self.entries.move_to_end(query)
                return self.entries[query]
        parsed = ParsedQuery(query)
        with self.lock:
            if query not in self.entries and len(query) <= self.max_chars:
                self.entries[query] = parsed
                self.chars += len(query)
                while len(self.entries) > self.max_entries or self.chars > self.max_chars:
                    self.chars -= len(self.entries.popitem(last=False)[0])
        return parsed

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.chars = 0


query_cache = QueryCache()


def _fail(*errors):
    return ExecutionResult(data=None, errors=list(errors))


def _database_failed(exc):
    """Whether ``exc`` is the database failing to serve the query (down, restarting, the
    connection cut), not the query's own statement timeout. Such errors are raised rather
    than answered as GraphQL errors: every surface then answers 503 with ``Retry-After``
    (``registry.api.errors.json_server_error``), without the driver's message."""
    return database_unavailable(exc) and not limits.is_statement_timeout(exc)


@functools.cache
def graphiql_examples():
    """GraphiQL's opening tabs, ``({"query": text}, …)``: the example queries
    ``api_docs/graphql_examples/*.graphql`` in name order (docs/research.md), read once."""
    paths = sorted((settings.BASE_DIR / "api_docs" / "graphql_examples").glob("*.graphql"))
    return tuple({"query": path.read_text(encoding="utf-8")} for path in paths)


@method_decorator(csrf_exempt, name="dispatch")
class RegistryGraphQLView(GraphQLView):
    # The standard rules, with bad literal argument values named like REST names a field.
    validation_rules = validation_rules()
    graphiql_template = "api_docs/graphiql.html"
    cost = None  # (cost, max_cost) of the query answered, reported in the response
    http_method_names = ["get", "post", "options"]  # what GraphQLView.dispatch answers

    def dispatch(self, request, *args, **kwargs):
        self.had_errors = False
        response = self._dispatch(request, *args, **kwargs)
        if not response.get("Content-Type", "").startswith("text/html"):  # GraphiQL's page
            self._cache_headers(request, response)
        return response

    def _dispatch(self, request, *args, **kwargs):
        if request.headers.get("Authorization", "").startswith("Token "):
            try:
                result = TokenAuthentication().authenticate(Request(request))
            except AuthenticationFailed as exc:
                return self._auth_error(request, exc)
            if result:
                request.user = result[0]
        return super().dispatch(request, *args, **kwargs)

    def _auth_error(self, request, exc):
        body = self.json_encode(request, {"errors": [{"message": str(exc.detail)}]})
        return HttpResponse(body, status=401, content_type="application/json")

    def render_graphiql(self, request, **data):
        return super().render_graphiql(request, examples=list(graphiql_examples()), **data)

    def _cache_headers(self, request, response):
        """Successful GET answers may be cached (publicly for anonymous readers; revalidated
        for signed-in users, whose answers may hold drafts); other answers never are."""
        patch_vary_headers(response, VARY)
        if request.method != "GET" or response.status_code != 200 or self.had_errors:
            response["Cache-Control"] = "no-store"
        elif request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            response.cookies.pop(settings.CSRF_COOKIE_NAME, None)  # not shared via caches

    def json_encode(self, request, d, pretty=False):
        if self.cost is not None and "data" in d:
            requested, limit = self.cost
            d = {**d, "extensions": {"cost": {"requested": requested, "limit": limit}}}
        if not (self.pretty or pretty) and not request.GET.get("pretty"):
            return json.dumps(d, separators=(",", ":"), ensure_ascii=False)
        return json.dumps(d, sort_keys=True, indent=2, ensure_ascii=False)

    def execute_graphql_request(
        self, request, data, query, variables, operation_name, show_graphiql=False
    ):
        """graphene-django's steps, with the limits checked between parsing and validation,
        both cached, and queries executed by :meth:`execute_query`."""
        result = self._execute_graphql_request(
            request, query, variables, operation_name, show_graphiql
        )
        self.had_errors = bool(result and result.errors)
        return result

    def _execute_graphql_request(self, request, query, variables, operation_name, show_graphiql):
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        if error := limits.too_long_error(len(query)):
            return _fail(error)
        schema = self.schema.graphql_schema
        if errors := validate_schema(schema):
            return _fail(*errors)
        parsed = query_cache.get(query)
        if parsed.error is not None:
            return _fail(limits.too_deep_error(parsed.nesting) or parsed.error)
        document = parsed.document

        operation = get_operation_ast(document, operation_name)
        if request.method == "GET" and operation and operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            raise HttpError(
                HttpResponseNotAllowed(
                    ["POST"],
                    f"Can only perform a {operation.operation.value} operation from a POST "
                    "request.",
                )
            )

        found = limits.measure(schema, document, operation, variables)
        if errors := limits.limit_errors(found):
            return _fail(*errors)
        rules = tuple(self.validation_rules) if self.validation_rules else None
        if errors := parsed.validation_errors(schema, rules):
            return _fail(*errors)
        self.cost = (found.cost, limits.current()["max_cost"])

        options = {
            "root_value": self.get_root_value(request),
            "context_value": self.get_context(request),
            "variable_values": variables,
            "operation_name": operation_name,
            "middleware": self.get_middleware(request),
        }
        if self.execution_context_class:
            options["execution_context_class"] = self.execution_context_class
        try:
            if operation is not None and operation.operation == OperationType.MUTATION:
                result = self.execute_mutation(request, schema, document, options)
            else:
                result = self.execute_query(schema, document, options)
        except Exception as exc:  # as graphene-django: a failure is an error of the response
            if _database_failed(exc):
                raise
            return _fail(exc)
        for error in result.errors or ():
            if _database_failed(error.original_error):
                raise error.original_error
        return result

    def execute_query(self, schema, document, options):
        """Execute in one read-only REPEATABLE READ transaction (every statement sees the same
        data, so counts agree with pages) under ``statement_timeout_ms``. Inside a caller's
        transaction (tests) this is a savepoint, read-only too, in the caller's snapshot. A
        query stopped by the timeout answers with that error alone."""
        nested = connection.in_atomic_block
        timeout = limits.current()["statement_timeout_ms"]
        with transaction.atomic():
            with connection.cursor() as cursor:
                if nested:
                    cursor.execute("SET LOCAL transaction_read_only = on")
                else:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{timeout}"])
            result = execute(schema, document, **options)
            transaction.set_rollback(True)  # nothing to keep; also ends the settings above
        if result.errors and result.data is None:  # variables that could not be coerced
            result.errors = name_variable_errors(document, result.errors)
        if any(limits.is_statement_timeout(e.original_error) for e in result.errors or ()):
            return _fail(limits.timeout_error())
        return result

    def execute_mutation(self, request, schema, document, options):
        """Execute as graphene-django does (atomically if ``ATOMIC_MUTATIONS`` is set)."""
        if not (
            graphene_settings.ATOMIC_MUTATIONS
            or connection.settings_dict.get("ATOMIC_MUTATIONS", False)
        ):
            return execute(schema, document, **options)
        from graphene_django.constants import MUTATION_ERRORS_FLAG

        with transaction.atomic():
            result = execute(schema, document, **options)
            if getattr(request, MUTATION_ERRORS_FLAG, False) is True:
                transaction.set_rollback(True)
        return result
