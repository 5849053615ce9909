"""The REST filtersets as GraphQL arguments (one definition each), and the queryset every
GraphQL surface starts from: the model's rows through the one permission path, narrowed by
the filterset. Connections, nested connections and statistics all call :func:`filtered`."""

from django.core.exceptions import ValidationError as DjangoValidationError
from graphene.types.enum import EnumType
from graphene.utils.str_converters import to_camel_case
from graphene_django.filter.utils import get_filtering_args_from_filterset
from graphql import (
    GraphQLError,
    ValuesOfCorrectTypeRule,
    VariableNode,
    Visitor,
    specified_rules,
    visit,
)
from rest_framework.exceptions import ValidationError as RestValidationError

from registry.api.filters import requested_departments
from registry.choices import Action
from registry.permissions import restrict


def filter_arguments(filterset_class, node_type):
    """The filterset's filters as graphene arguments (snake_case; camelCase in the schema)."""
    if filterset_class is None:
        return {}
    return get_filtering_args_from_filterset(filterset_class, node_type)


def _plain(value):
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.value if isinstance(type(value), EnumType) else value


def bad_argument(name, messages):
    """A GraphQL error naming the argument (camelCase, as the client wrote it)."""
    argument = to_camel_case(name)
    text = "; ".join(str(message) for message in messages)
    return GraphQLError(
        f"{argument}: {text}",
        extensions={"code": "BAD_USER_INPUT", "argument": argument},
    )


def filtered(model, filterset_class, args, info):
    """``model``'s rows the requesting user may view, narrowed by the filters in ``args``
    (other arguments are ignored). An invalid value raises a GraphQL error naming it."""
    data = {
        name: _plain(value)
        for name, value in args.items()
        if filterset_class is not None
        and name in filterset_class.base_filters
        and value is not None
    }
    departments = requested_departments(filterset_class, model, data, info.context)
    queryset = restrict(model._default_manager.all(), info.context.user, Action.VIEW, departments)
    if not data:
        return queryset
    filterset = filterset_class(data=data, queryset=queryset, request=info.context)
    if not filterset.is_valid():
        name, messages = next(iter(filterset.form.errors.items()))
        raise bad_argument(name, messages)
    try:
        return filterset.qs
    except RestValidationError as exc:
        name, messages = next(iter(exc.detail.items()))
        raise bad_argument(name, messages) from exc
    except DjangoValidationError as exc:
        raise bad_argument(next(iter(data)), exc.messages) from exc


class NamedArgumentValuesRule(ValuesOfCorrectTypeRule):
    """graphql-core's check of literal argument values, with the argument named in the
    error (``dateMadeAfter: Date cannot represent value: 'x'``) as REST names the field."""

    def __init__(self, context):
        super().__init__(context)
        self.argument = None

    def enter_argument(self, node, *_args):
        self.argument = node

    def leave_argument(self, node, *_args):
        self.argument = None

    def report_error(self, error):
        if self.argument is None:
            return super().report_error(error)
        name = self.argument.name.value
        super().report_error(
            GraphQLError(
                f"{name}: {error.message}",
                error.nodes or [self.argument],
                extensions={"code": "BAD_USER_INPUT", "argument": name},
            )
        )


def validation_rules():
    """The standard validation rules, with literal values checked by the rule above."""
    return tuple(
        NamedArgumentValuesRule if rule is ValuesOfCorrectTypeRule else rule
        for rule in specified_rules
    )


def name_variable_errors(document, errors):
    """Variable coercion errors (``Variable '$d' got invalid value …``) naming the arguments
    the variable is passed to."""
    uses = {}

    class Uses(Visitor):
        def enter_argument(self, node, *_args):
            if isinstance(node.value, VariableNode):
                uses.setdefault(node.value.name.value, []).append(node.name.value)

    visit(document, Uses())
    named = []
    for error in errors:
        variable = next(
            (n.variable.name.value for n in error.nodes or () if hasattr(n, "variable")), None
        )
        arguments = uses.get(variable)
        if not arguments:
            named.append(error)
            continue
        named.append(
            GraphQLError(
                f"{', '.join(arguments)}: {error.message}",
                error.nodes,
                extensions={"code": "BAD_USER_INPUT", "argument": arguments[0]},
            )
        )
    return named
