"""What one GraphQL request may ask (``settings.GRAPHQL_LIMITS``), measured on the parsed
document before graphql-core's standard validation: its depth, its aliases and its cost, the
number of records it can return at most. Each limit exceeded is a GraphQL error naming the
limit, the value found and the maximum; so is a query stopped by the statement timeout."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.error import GraphQLSyntaxError
from graphql.language import Lexer, Source, TokenKind
from graphql.utilities import value_from_ast_untyped

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled (by the timeout)

TOO_LONG = _("查询长度 %(value)d 个字符，超过上限 %(limit)d（max_query_chars）。请精简查询。")
TOO_DEEP = _("查询深度 %(value)d 超过上限 %(limit)d（max_depth）。请减少嵌套层级，或分多次查询。")
TOO_MANY_ALIASES = _("查询使用了 %(value)d 个别名，超过上限 %(limit)d（max_aliases）。")
TOO_COSTLY = _(
    "查询最多可返回 %(value)d 条记录，超过上限 %(limit)d（max_cost）。请减小 first/last 或嵌套"
    "列表的数量并分页查询；完整数据集请使用批量导出（/api/v1/<资源>/bulk-export/）或全量快照"
    "（/api/v1/snapshot/）。"
)
TIMEOUT = _(
    "查询的数据库语句执行超过 %(limit)d 毫秒（statement_timeout_ms），已被中止。请使用更精确的"
    "筛选条件或更小的分页；完整数据集请使用批量导出（/api/v1/<资源>/bulk-export/）。"
)


def current():
    """The limits in force (read at each request, so tests can override them)."""
    return settings.GRAPHQL_LIMITS


@dataclass(frozen=True)
class Measure:
    """Depth (levels of fields), aliased fields and cost (records at most) of a selection."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0

    def __add__(self, other):
        return Measure(
            max(self.depth, other.depth), self.aliases + other.aliases, self.cost + other.cost
        )


class _Measurer:
    """Walks one operation, following fragments (each measured once, cycles cut off)."""

    def __init__(self, schema, fragments, operation, variables):
        config = current()
        self.schema = schema
        self.fragments = fragments
        self.default_page = config["default_page_size"]
        self.statistics_cost = config["statistics_cost"]
        self.variables = {
            definition.variable.name.value: value_from_ast_untyped(definition.default_value)
            for definition in operation.variable_definitions or ()
            if definition.default_value is not None
        }
        if isinstance(variables, dict):
            self.variables.update(variables)
        self.measured = {}
        self.in_progress = set()

    def selection_set(self, selection_set, parent_type):
        total = Measure()
        for selection in selection_set.selections:
            if isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                type_ = self.schema.get_type(condition.name.value) if condition else parent_type
                total += self.selection_set(selection.selection_set, type_)
            else:
                total += self.field(selection, parent_type)
        return total

    def fragment(self, name):
        if name in self.measured:
            return self.measured[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            return Measure()  # unknown or cyclic: the standard validation reports it
        self.in_progress.add(name)
        type_ = self.schema.get_type(definition.type_condition.name.value)
        measure = self.selection_set(definition.selection_set, type_)
        self.in_progress.discard(name)
        self.measured[name] = measure
        return measure

    def field(self, node, parent_type):
        name = node.name.value
        own_alias = 1 if node.alias else 0
        if name.startswith("__"):
            # Introspection adds no depth and no cost (GraphiQL's query always passes); its
            # aliases count all the same: they weigh on the standard validation like others.
            inner = Measure()
            if node.selection_set is not None:
                inner = self.selection_set(node.selection_set, None)
            return Measure(aliases=own_alias + inner.aliases)
        definition = None
        if isinstance(parent_type, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent_type.fields.get(name)
        type_ = get_named_type(definition.type) if definition else None
        inner = Measure()
        if node.selection_set is not None:
            inner = self.selection_set(node.selection_set, type_)
        cost = self.cost(node, definition, parent_type, inner)
        return Measure(1 + inner.depth, own_alias + inner.aliases, cost)

    def cost(self, node, definition, parent_type, inner):
        if definition is None:
            return 0
        type_ = get_named_type(definition.type)
        if node.name.value.endswith("Statistics"):
            return self.statistics_cost + inner.cost
        if not is_composite_type(type_):
            return 0
        if type_.name.endswith("Connection") and "first" in definition.args:
            return self.page(node) * (1 + inner.cost)
        if is_list_type(get_nullable_type(definition.type)) and "ids" in definition.args:
            return self.count(self.argument(node, "ids")) * (1 + inner.cost)
        if parent_type.name.endswith(("Connection", "Edge")):
            return inner.cost  # edges, node, nodes, pageInfo: the connection counts the page
        return 1 + inner.cost

    def argument(self, node, name):
        for argument in node.arguments:
            if argument.name.value == name:
                return value_from_ast_untyped(argument.value, self.variables)
        return None

    def page(self, node):
        sizes = [self.argument(node, "first"), self.argument(node, "last")]
        sizes = [s for s in sizes if isinstance(s, int) and not isinstance(s, bool) and s >= 0]
        return max(sizes) if sizes else self.default_page

    @staticmethod
    def count(ids):
        if isinstance(ids, list):
            return len(ids)
        return 1 if isinstance(ids, str | int) else 0  # one ID is a list of one


def measure(schema, document, operation, variables):
    """The :class:`Measure` of ``operation`` (an operation of ``document``; ``None`` when the
    document does not say which: then the largest over its operations) with ``variables``."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = (
        [operation]
        if operation is not None
        else [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    )
    total = Measure()
    for op in operations:
        root = schema.get_root_type(op.operation)
        found = _Measurer(schema, fragments, op, variables).selection_set(op.selection_set, root)
        total = Measure(
            max(total.depth, found.depth),
            max(total.aliases, found.aliases),
            max(total.cost, found.cost),
        )
    return total


def brace_nesting(query):
    """How deeply ``{`` nest in ``query``, read token by token (without recursion): the depth
    reported for a document too deeply nested for the parser."""
    lexer = Lexer(Source(query))
    depth = deepest = 0
    try:
        token = lexer.advance()
        while token.kind != TokenKind.EOF:
            if token.kind == TokenKind.BRACE_L:
                depth += 1
                deepest = max(deepest, depth)
            elif token.kind == TokenKind.BRACE_R:
                depth -= 1
            token = lexer.advance()
    except GraphQLSyntaxError:
        pass
    return deepest


def _check(code, template, value, setting):
    limit = current()[setting]
    if value <= limit:
        return None
    message = template % {"value": value, "limit": limit}
    return GraphQLError(message, extensions={"code": code, "limit": limit, "value": value})


def too_long_error(length):
    """The error for a query text of ``length`` characters if above ``max_query_chars``."""
    return _check("QUERY_TOO_LONG", TOO_LONG, length, "max_query_chars")


def too_deep_error(depth):
    """The error for a query nested ``depth`` levels deep if above ``max_depth``."""
    return _check("QUERY_TOO_DEEP", TOO_DEEP, depth, "max_depth")


def limit_errors(found):
    """The errors for each limit the :class:`Measure` ``found`` exceeds (empty if none)."""
    errors = [
        too_deep_error(found.depth),
        _check("TOO_MANY_ALIASES", TOO_MANY_ALIASES, found.aliases, "max_aliases"),
        _check("QUERY_TOO_COSTLY", TOO_COSTLY, found.cost, "max_cost"),
    ]
    return [error for error in errors if error is not None]


def is_statement_timeout(exc):
    """Whether ``exc`` (or an exception it was raised from) is PostgreSQL cancelling a
    statement: with psycopg, Django's ``OperationalError`` has the driver's error as cause."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if QUERY_CANCELED in (getattr(exc, "sqlstate", None), getattr(exc, "pgcode", None)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def timeout_error():
    """The error replacing the result of a query stopped by ``statement_timeout_ms``."""
    limit = current()["statement_timeout_ms"]
    message = TIMEOUT % {"limit": limit}
    return GraphQLError(message, extensions={"code": "QUERY_TIMEOUT", "limit": limit})
