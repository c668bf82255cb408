"""The GraphQL query cost limit (beside the depth, token and alias limits): a query is priced from
its document when it is validated, before anything runs; one over MAX_COST is refused with a
GraphQL error (code QUERY_TOO_COSTLY, its cost and the limit in the error's extensions).

Each field costs 1; a field that returns a list multiplies what is selected under it by the
number of items it may return: its `limit` or `first` argument (as given, from a variable, or its
default), else a size hint for lists without one (LIST_SIZES, DEFAULT_LIST_SIZE), at most
MAX_ITEMS. Fragments are priced where they are spread."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
    value_from_ast,
)
from strawberry.extensions import SchemaExtension

from metering.service import METRICS

MAX_COST = 50_000
MAX_ITEMS = 1000
DEFAULT_LIST_SIZE = 100
# Lists without a limit argument whose usual size is known: (type, field) -> items.
_PDBS = 10  # a tenant's usual number of PDBs
LIST_SIZES: dict[tuple[str, str], int] = {
    ("Tenant", "pdbs"): _PDBS,
    ("Usage", "metrics"): len(METRICS),
    ("Usage", "pdbs"): _PDBS * len(METRICS),
    ("Pdb", "usage"): len(METRICS),
    ("BillingReport", "lineItems"): _PDBS * len(METRICS),
    ("BillingReport", "baseBreakdown"): _PDBS,
}
_SIZE_ARGS = ("limit", "first")


def _list_size(parent: str, node: FieldNode, field: Any, variables: dict[str, Any]) -> int:
    for name in _SIZE_ARGS:
        arg = field.args.get(name)
        if arg is None:
            continue
        given = next((a for a in node.arguments or () if a.name.value == name), None)
        value = value_from_ast(given.value, arg.type, variables) if given is not None else arg.default_value
        if isinstance(value, int) and not isinstance(value, bool):
            return max(0, min(value, MAX_ITEMS))
    return LIST_SIZES.get((parent, node.name.value), DEFAULT_LIST_SIZE)


def _is_list(t: Any) -> bool:
    while isinstance(t, GraphQLNonNull):
        t = t.of_type
    return isinstance(t, GraphQLList)


def selection_cost(
    schema: GraphQLSchema,
    selection_set: SelectionSetNode | None,
    parent: GraphQLObjectType | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    seen: frozenset[str] = frozenset(),
) -> int:
    """The cost of a selection set on parent (unknown fields cost 1: validation refuses them)."""
    if selection_set is None or parent is None:
        return 0
    total = 0
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            name = sel.name.value
            if name.startswith("__"):
                continue  # introspection and __typename: free
            field = parent.fields.get(name)
            if field is None:
                total += 1
                continue
            named = get_named_type(field.type)
            child = selection_cost(
                schema,
                sel.selection_set,
                named if isinstance(named, GraphQLObjectType) else None,
                fragments,
                variables,
                seen,
            )
            times = _list_size(parent.name, sel, field, variables) if _is_list(field.type) else 1
            total += 1 + times * child
        elif isinstance(sel, InlineFragmentNode):
            cond = schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
            total += selection_cost(
                schema,
                sel.selection_set,
                cond if isinstance(cond, GraphQLObjectType) else parent,
                fragments,
                variables,
                seen,
            )
        elif isinstance(sel, FragmentSpreadNode):
            frag = fragments.get(sel.name.value)
            if frag is None or frag.name.value in seen:
                continue  # unknown or cyclic: validation refuses it
            cond = schema.get_type(frag.type_condition.name.value)
            total += selection_cost(
                schema,
                frag.selection_set,
                cond if isinstance(cond, GraphQLObjectType) else parent,
                fragments,
                variables,
                seen | {frag.name.value},
            )
    return total


def document_cost(
    schema: GraphQLSchema, document: Any, operation: str | None, variables: dict[str, Any]
) -> int:
    """The cost of the operation that would run (the named one, else the most costly)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    costs = []
    for d in document.definitions:
        if not isinstance(d, OperationDefinitionNode):
            continue
        if operation is not None and (d.name is None or d.name.value != operation):
            continue
        root = {
            OperationType.QUERY: schema.query_type,
            OperationType.MUTATION: schema.mutation_type,
            OperationType.SUBSCRIPTION: schema.subscription_type,
        }[d.operation]
        costs.append(selection_cost(schema, d.selection_set, root, fragments, variables))
    return max(costs, default=0)


class QueryCostLimiter(SchemaExtension):
    """Adds, for each request, a validation rule pricing its operation with its variables: one over
    MAX_COST fails validation (nothing runs), after the other rules' errors (depth, ...). The cost
    of a request that ran is in the result's extensions."""

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        ext = self

        class CostRule(ValidationRule):
            def leave_document(self, node: DocumentNode, *_args: Any) -> None:
                try:
                    cost = document_cost(self.context.schema, node, ctx.operation_name, ctx.variables or {})
                except Exception:  # noqa: BLE001 - a malformed variable: the other rules say what is wrong
                    return
                ext.cost = cost
                if cost > MAX_COST:
                    self.report_error(
                        GraphQLError(
                            f"query cost {cost} exceeds the limit of {MAX_COST} (each field costs 1; a"
                            " list multiplies what it selects by its limit or first)",
                            extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "max_cost": MAX_COST},
                        )
                    )

        ctx.validation_rules = (*ctx.validation_rules, CostRule)
        yield

    def get_results(self) -> dict[str, Any]:
        cost = getattr(self, "cost", None)
        return {"cost": cost} if cost is not None and cost <= MAX_COST else {}
