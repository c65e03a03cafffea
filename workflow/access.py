"""The access table's services and its one predicate.

A document app registers, in ``AppConfig.ready()``, a *source* for its model: a function that,
given document ids (or None for all), returns the rows its own fields imply
(``(object_id, user_id, department_id, reason)``: registrar, author, executor, initiator…). Rows
from tasks (assignee and the person they act for) are the engine's own: ``task_create`` and
``task_reassign`` write them for every registered document type, so route steps, executors,
co-executors, subtasks and deputies need no code in the apps.

Services call ``access_refresh(document)`` after changing the people on a document; the
management command ``rebuild_document_access`` recomputes everything, and a test checks that the
two agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet

from workflow.models import AccessReason, DocumentAccess, Employee, Task
from workflow.selectors import subordinate_department_ids

Row = tuple[int, int | None, int | None, str]
Source = Callable[[list[int] | None], Iterable[Row]]

_sources: dict[str, Source] = {}
# child label -> (parent label, the child's foreign key to it): a child document (our reply)
# copies every row of the document it answers, so "who sees the letter sees its replies" is
# rows too, and each list stays one semi-join on the table
_inherits: dict[str, tuple[str, str]] = {}


def _label(model) -> str:
    return model if isinstance(model, str) else model._meta.label_lower


# documents whose table carries the tokens of their rows (``access_tokens``: "u<user>",
# "d<department>"), kept by the app's own triggers; a rebuild turns them off (``BULK_SETTING``)
# and refreshes these tables in one statement each
_token_tables: list = []
BULK_SETTING = "argo.access_bulk"

# the tokens as search migration 0005's ``search_access_tokens(ct, id)`` gives them for one
# document, here for a whole table in one pass (per row, through the triggers, the rebuild at 50k
# letters took 34 s instead of 12)
_TOKENS_REFRESH_SQL = """
UPDATE {table} d SET access_tokens = coalesce(t.tokens, '{{}}')
FROM {table} d2
LEFT JOIN (
    SELECT object_id, array_agg(DISTINCT token ORDER BY token)::varchar[] AS tokens FROM (
        SELECT object_id, 'u' || user_id AS token FROM workflow_documentaccess
        WHERE content_type_id = %(ct)s AND user_id IS NOT NULL
        UNION ALL
        SELECT object_id, 'd' || department_id FROM workflow_documentaccess
        WHERE content_type_id = %(ct)s AND department_id IS NOT NULL
    ) AS rows GROUP BY object_id
) AS t ON t.object_id = d2.{pk}
WHERE d.{pk} = d2.{pk} AND d.access_tokens IS DISTINCT FROM coalesce(t.tokens, '{{}}')
"""


def register_access_tokens(model) -> None:
    """``model``'s table has an ``access_tokens`` column kept by triggers that skip their work
    while ``BULK_SETTING`` is on (see correspondence migration 0015)."""
    if model not in _token_tables:
        _token_tables.append(model)


def _tokens_refresh(models_to_refresh) -> None:
    with connection.cursor() as cursor:
        for model in _token_tables:
            if model not in models_to_refresh:
                continue
            # an earlier migration's rebuild runs before the column exists
            cursor.execute(
                "SELECT 1 FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s "
                "AND column_name = 'access_tokens'",
                [model._meta.db_table],
            )
            if cursor.fetchone() is None:
                continue
            cursor.execute(
                _TOKENS_REFRESH_SQL.format(table=model._meta.db_table, pk=model._meta.pk.column),
                {"ct": ContentType.objects.get_for_model(model).pk},
            )


def register_access_source(model, source: Source, *, inherits: tuple | None = None) -> None:
    """``inherits=(parent_model, "fk_field")``: the document also opens to everyone its parent
    (through that foreign key) opens to."""
    label = _label(model).lower()
    if _sources.get(label, source) is not source:
        raise ValueError(f"access source for {label!r} is already registered")
    _sources[label] = source
    if inherits is not None:
        parent, field = inherits
        _inherits[label] = (_label(parent).lower(), field)


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


_INHERIT_SQL = """
INSERT INTO workflow_documentaccess (content_type_id, object_id, user_id, department_id, reason)
SELECT DISTINCT %s, c.{pk}, a.user_id, a.department_id, %s
FROM {child} c
JOIN workflow_documentaccess a ON a.content_type_id = %s AND a.object_id = c.{fk}
WHERE c.{fk} IS NOT NULL {extra}
ON CONFLICT DO NOTHING
"""


def _inherit(label: str, child_ids: list[int] | None) -> None:
    """(Re)copy the parent's rows onto the given children (all children when None)."""
    parent_label, field = _inherits[label]
    child = _model(label)
    child_type = ContentType.objects.get_for_model(child)
    parent_type = ContentType.objects.get_for_model(_model(parent_label))
    stale = DocumentAccess.objects.filter(content_type=child_type, reason=AccessReason.INHERITED)
    if child_ids is not None:
        if not child_ids:
            return
        stale = stale.filter(object_id__in=child_ids)
    stale.delete()
    params: list = [child_type.pk, AccessReason.INHERITED.value, parent_type.pk]
    extra = ""
    if child_ids is not None:
        extra = f"AND c.{child._meta.pk.column} = ANY(%s)"
        params.append(list(child_ids))
    sql = _INHERIT_SQL.format(
        pk=child._meta.pk.column,
        child=child._meta.db_table,
        fk=child._meta.get_field(field).column,
        extra=extra,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _propagate(parent_label: str, parent_id: int) -> None:
    """The parent's rows changed: its children copy them again."""
    for label, (parent, field) in _inherits.items():
        if parent == parent_label:
            ids = list(
                _model(label).objects.filter(**{field: parent_id}).values_list("pk", flat=True)
            )
            _inherit(label, ids)


def registered_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [apps.get_model(label) for label in sorted(_sources)]


def _type_label(content_type: ContentType) -> str:
    return f"{content_type.app_label}.{content_type.model}"


def _is_registered(content_type: ContentType) -> bool:
    return _type_label(content_type) in _sources


# --- the predicate -------------------------------------------------------------------------------


def accessible_ids(user, model, department_ids: Iterable[int] = ()) -> QuerySet:
    """``object_id`` of every document of ``model`` the access table opens to ``user``: rows of
    the user themself, or of the departments they head (``department_ids``, with those below)."""
    condition = Q(user_id=user.pk)
    department_ids = list(department_ids)
    if department_ids:
        condition |= Q(department_id__in=department_ids)
    return DocumentAccess.objects.filter(
        condition, content_type=ContentType.objects.get_for_model(model)
    ).values("object_id")


def accessible_count_floor(user, model, department_ids: Iterable[int], cap: int) -> int:
    """A lower bound of how many documents of ``model`` the access table opens to ``user``, good
    enough to tell a list «более ``cap``» without the semi-join a count needs: the distinct
    documents of each of the user's rows and each department's rows, one ordered index range at
    a time, stopping at the first that passes the cap (the union has at least as many)."""
    content_type_id = ContentType.objects.get_for_model(model).pk
    principals = [("department_id", pk) for pk in department_ids] + [("user_id", user.pk)]
    floor = 0
    with connection.cursor() as cursor:
        for column, pk in principals:
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT DISTINCT object_id FROM workflow_documentaccess "
                f"WHERE content_type_id = %s AND {column} = %s ORDER BY object_id LIMIT %s) s",
                [content_type_id, pk, cap + 1],
            )
            floor = max(floor, cursor.fetchone()[0])
            if floor > cap:
                break
    return floor


def access_tokens(user) -> list[str]:
    """The principals the document selectors pass to ``accessible_ids`` (the person and the
    departments they head, with those below), as the search index stores them per object:
    "u<user id>", "d<department id>"."""
    return [f"u{user.pk}", *(f"d{pk}" for pk in subordinate_department_ids(user))]


# --- rows ----------------------------------------------------------------------------------------


def user_rows(object_id: int, users: Iterable, reason: str, departments: dict) -> list[Row]:
    """Rows for people (user objects or ids), each with their department from ``departments``."""
    rows = []
    for user in users:
        if user is None:
            continue
        user_id = user if isinstance(user, int) else user.pk
        rows.append((object_id, user_id, departments.get(user_id), reason))
    return rows


def departments_of(user_ids: Iterable[int]) -> dict[int, int | None]:
    ids = {u for u in user_ids if u is not None}
    if not ids:
        return {}
    return dict(Employee.objects.filter(user_id__in=ids).values_list("user_id", "department_id"))


def _insert(content_type_id: int, rows: Iterable[Row]) -> None:
    DocumentAccess.objects.bulk_create(
        [
            DocumentAccess(
                content_type_id=content_type_id,
                object_id=object_id,
                user_id=user_id,
                department_id=department_id,
                reason=reason,
            )
            for object_id, user_id, department_id, reason in set(rows)
            if user_id is not None or department_id is not None
        ],
        ignore_conflicts=True,
        batch_size=5000,
    )


def access_refresh(document) -> None:
    """Recompute the rows the document's own fields imply (its tasks' rows stay). Call it in the
    transaction that changed the registrar, author, executor, initiator or participants."""
    content_type = ContentType.objects.get_for_model(document)
    source = _sources[_label(type(document))]
    with transaction.atomic():
        DocumentAccess.objects.filter(content_type=content_type, object_id=document.pk).exclude(
            reason=AccessReason.TASK
        ).delete()
        _insert(content_type.pk, source([document.pk]))
        label = _label(type(document))
        if label in _inherits:
            _inherit(label, [document.pk])
        _propagate(label, document.pk)


def access_grant_task(task: Task) -> None:
    """A new task opens its document to the assignee and to the person they act for."""
    if not task.object_id or not _is_registered(task.content_type):
        return
    people = [task.assignee_id, task.original_assignee_id]
    departments = departments_of(people)
    _insert(
        task.content_type_id,
        user_rows(task.object_id, people, AccessReason.TASK, departments),
    )
    _propagate(_type_label(task.content_type), task.object_id)


def access_sync_tasks(task: Task) -> None:
    """A task changed hands: recompute the task rows of its document from all its tasks."""
    if not task.object_id or not _is_registered(task.content_type):
        return
    with transaction.atomic():
        DocumentAccess.objects.filter(
            content_type_id=task.content_type_id,
            object_id=task.object_id,
            reason=AccessReason.TASK,
        ).delete()
        _task_rows_insert(task.content_type_id, [task.object_id])
        _propagate(_type_label(task.content_type), task.object_id)


_TASK_ROWS_SQL = """
INSERT INTO workflow_documentaccess (content_type_id, object_id, user_id, department_id, reason)
SELECT DISTINCT t.content_type_id, t.object_id, p.user_id, e.department_id, %s
FROM workflow_task t
CROSS JOIN LATERAL (VALUES (t.assignee_id), (t.original_assignee_id)) AS p(user_id)
LEFT JOIN workflow_employee e ON e.user_id = p.user_id
WHERE t.content_type_id = %s AND t.object_id IS NOT NULL AND p.user_id IS NOT NULL {extra}
ON CONFLICT DO NOTHING
"""


def _task_rows_insert(content_type_id: int, object_ids: list[int] | None) -> None:
    params: list = [AccessReason.TASK.value, content_type_id]
    extra = ""
    if object_ids is not None:
        extra = "AND t.object_id = ANY(%s)"
        params.append(list(object_ids))
    with connection.cursor() as cursor:
        cursor.execute(_TASK_ROWS_SQL.format(extra=extra), params)


def access_rebuild(models_to_rebuild=None) -> int:
    """Recompute the table (or the rows of the given models) from the documents and their
    tasks; returns the table's row count."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # the tables that carry tokens are refreshed once at the end, not per statement
            cursor.execute("SELECT set_config(%s, 'on', true)", [BULK_SETTING])
        chosen = registered_models() if models_to_rebuild is None else models_to_rebuild
        model_labels = None if models_to_rebuild is None else {_label(m) for m in chosen}
        for model in chosen:
            content_type = ContentType.objects.get_for_model(model)
            DocumentAccess.objects.filter(content_type=content_type).delete()
            _insert(content_type.pk, _sources[_label(model)](None))
            _task_rows_insert(content_type.pk, None)
        for label in _inherits:  # after every parent is complete
            if model_labels is None or label in model_labels:
                _inherit(label, None)
        _tokens_refresh(set(chosen))
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', true)", [BULK_SETTING])
        return DocumentAccess.objects.count()


def access_follow_department(sender, instance: Employee, **kwargs) -> None:
    """An employee moved to another department: the heads who see their documents change with
    them (the rows keep the person's current department, as a rebuild would). Connected to
    ``Employee`` saves: the access table is derived data kept in step with its sources."""
    content_types = [ContentType.objects.get_for_model(model) for model in registered_models()]
    DocumentAccess.objects.filter(content_type__in=content_types, user_id=instance.user_id).exclude(
        reason=AccessReason.INITIATOR
    ).exclude(department_id=instance.department_id).update(department_id=instance.department_id)
