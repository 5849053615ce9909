"""Relay connections over keyset pages, at the root of the graph and nested under a row.

A root connection reads one page in one query; ``totalCount`` costs one ``COUNT`` and only
when asked. A nested connection (a decision's consultations, a department's enforcement
actions) reads the pages of every row of the parent batch in one query — a window function
numbers the rows per parent — and counts them in one grouped query when asked."""

from functools import partial

import graphene
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from graphene import relay
from graphene.types.argument import to_arguments
from graphene.types.utils import get_type

from registry.graphql.batching import Batch, arguments_key, batch_of
from registry.graphql.filtering import filter_arguments, filtered
from registry.graphql.pagination import PageSlice, encode_cursor, ordering_for


class Page:
    """What a connection field resolves to; the connection type reads its attributes."""

    def __init__(self, rows, ordering, page_info, count):
        self.nodes = rows
        self.edges = [Edge(row, encode_cursor(ordering, row)) for row in rows]
        self.page_info = relay.PageInfo(
            start_cursor=self.edges[0].cursor if self.edges else None,
            end_cursor=self.edges[-1].cursor if self.edges else None,
            **page_info,
        )
        self._count = count

    def total_count(self):
        return self._count()


class Edge:
    def __init__(self, node, cursor):
        self.node = node
        self.cursor = cursor


class RecordConnection(relay.Connection):
    """A page of rows: ``edges``/``pageInfo`` as relay defines them, ``nodes`` for short,
    and ``totalCount`` — exact, and computed only when the query asks for it."""

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, node=None, **options):
        cls.nodes = graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(node))),
            description="本页的记录（与 edges.node 相同）",
        )
        super().__init_subclass_with_meta__(node=node, **options)

    total_count = graphene.Int(
        required=True, description="符合筛选条件的记录总数（仅在请求时计算，准确值）"
    )

    def resolve_total_count(page, info):
        return page.total_count()


class RecordConnectionField(graphene.Field):
    """A connection to ``node_type`` rows: keyset paging arguments plus the filters of the
    node type's filterset. At the root, ``parent_lookup`` is None; nested under a row it is
    the lookup from ``node_type``'s model to the parent row's key (``"decision_id"``,
    ``"bonds__id"``)."""

    def __init__(self, node_type, parent_lookup=None, **kwargs):
        self._node_type = node_type
        self.parent_lookup = parent_lookup
        paging = {
            "first": graphene.Int(description="从前往后取的条数（1–500，默认 50）"),
            "after": graphene.String(description="从该游标之后开始"),
            "last": graphene.Int(description="从后往前取的条数（1–500）"),
            "before": graphene.String(description="到该游标之前为止"),
        }
        super().__init__(lambda: self.node_type._meta.connection, args=paging, **kwargs)

    @property
    def node_type(self):
        return get_type(self._node_type)

    @property
    def filterset_class(self):
        return getattr(self.node_type._meta, "filterset_class", None)

    @property
    def args(self):
        return to_arguments(
            self._paging_args, filter_arguments(self.filterset_class, self.node_type)
        )

    @args.setter
    def args(self, value):
        self._paging_args = value

    def wrap_resolve(self, parent_resolver):
        return self.resolve_root if self.parent_lookup is None else self.resolve_nested

    def resolve_root(self, root, info, **args):
        model = self.node_type._meta.model
        queryset = filtered(model, self.filterset_class, args, info)
        ordering = ordering_for(model, args)
        window = PageSlice.from_args(args, ordering)
        rows = list(window.narrow(queryset, ordering)[: window.size + 1])
        rows, page_info = window.page_info(rows)
        return Page(Batch(rows), ordering, page_info, queryset.count)

    def resolve_nested(self, parent, info, **args):
        batch = batch_of(parent)
        key = (id(self), arguments_key(args))
        pages = batch.load(key, lambda batch: self.load_pages(batch, info, args))
        return pages[parent.pk] if pages is not None else None

    def load_pages(self, batch, info, args):
        """The page of every parent in ``batch``: one query for all of them."""
        model = self.node_type._meta.model
        ordering = ordering_for(model, args)
        window = PageSlice.from_args(args, ordering)
        parents = [parent.pk for parent in batch]
        related = (
            filtered(model, self.filterset_class, args, info)
            .annotate(_parent=F(self.parent_lookup))
            .filter(_parent__in=parents)
        )
        ranked = window.narrow(related, ordering).annotate(
            _rank=Window(
                RowNumber(),
                partition_by=F("_parent"),
                order_by=ordering.order_by(reverse=window.backward),
            )
        )
        rows_by_parent = {pk: [] for pk in parents}
        rows = Batch(ranked.filter(_rank__lte=window.size + 1) if parents else ())
        for row in rows:
            rows_by_parent[row._parent].append(row)
        counts = {}

        def count_for(pk):
            if not counts:
                grouped = related.order_by().values("_parent").annotate(n=Count("pk"))
                counts.update({pk: 0 for pk in parents})
                counts.update({group["_parent"]: group["n"] for group in grouped})
            return counts[pk]

        pages = {}
        for pk, page_rows in rows_by_parent.items():
            page_rows.sort(key=lambda row: row._rank)
            page_rows, page_info = window.page_info(page_rows)
            pages[pk] = Page(page_rows, ordering, page_info, partial(count_for, pk))
        return pages
