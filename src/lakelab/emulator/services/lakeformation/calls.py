"""Lake Formation for other services (Athena's planner): decisions for the caller in force, and their trail.

An engine asks :func:`table_access` for each table a query reads, as the query's caller; reads
the data as :func:`reader` says (Lake Formation's credential vending: the registered location's
role, not the caller); and has each decision recorded by :func:`record_data_access` -- a
``GetDataAccess`` event of ``lakeformation.amazonaws.com``, invoked by the engine's service, with
``AccessDenied`` when the caller was refused.
"""

from __future__ import annotations

from lakelab.emulator import context, identity
from lakelab.emulator.services.lakeformation import settings, store
from lakelab.emulator.services.lakeformation.decisions import ALL_ROWS, Denied, TableAccess, decide

__all__ = ["ALL_ROWS", "Denied", "NoDataAccess", "TableAccess", "table_access", "visible_columns", "reader",
           "record_data_access"]


class NoDataAccess(Exception):
    """IAM does not allow the caller ``lakeformation:GetDataAccess``: no credentials are vended."""


def table_access(database: str, table: str) -> TableAccess | None:
    """The caller's access to a table (None: IAM alone decides); raises :class:`Denied` or :class:`NoDataAccess`.

    Reading a registered location needs ``lakeformation:GetDataAccess`` in the caller's IAM policies
    besides the grants ("Identity-based permissions for Lake Formation and Athena" in Athena's guide).
    """
    caller = context.current()
    access = decide(store.lake(caller.principal.account_id, caller.region), caller.principal, database, table)
    if access is not None and access.fine_grained and caller.settings.enforce_iam:
        from lakelab.emulator.services.iam import enforcement

        try:
            enforcement.require(caller.principal, "lakeformation:GetDataAccess", "*")
        except PermissionError as denied:
            raise NoDataAccess(str(denied)) from None
    return access


def missing_permissions(database: str, table: str, needed: set[str]) -> frozenset[str]:
    """The Lake Formation permissions of ``needed`` the caller lacks to change a table (empty: it may)."""
    from lakelab.emulator.services.lakeformation import decisions

    caller = context.current()
    return decisions.lacks(store.lake(caller.principal.account_id, caller.region), caller.principal,
                           database, table, frozenset(needed))


def visible_columns(database: str, table: str) -> tuple[str, ...] | None:
    """Columns of a table whose metadata the caller sees (None: every one; empty: the table is hidden)."""
    from lakelab.emulator.services.lakeformation import decisions

    caller = context.current()
    return decisions.visible_columns(store.lake(caller.principal.account_id, caller.region), caller.principal,
                                     database, table)


def reader(access: TableAccess) -> context.Principal | None:
    """Whom the engine reads a governed table's files as (None: the caller, when nothing is vended)."""
    if not access.fine_grained or not access.read_as:
        return None
    if access.read_as.endswith(settings.SERVICE_LINKED_ROLE):
        return context.Principal.aws_service("lakeformation.amazonaws.com", context.principal().account_id)
    return identity.role_session(access.read_as, "AWSLakeFormation", invoked_by="lakeformation.amazonaws.com")


def record_data_access(database: str, table: str, invoked_by: str, query_id: str, denied: str | None = None) -> None:
    """A ``GetDataAccess`` event for the caller in force (``denied``: the reason it was refused)."""
    from lakelab.emulator.services import cloudtrail

    caller = context.current()
    account = caller.principal.account_id
    table_arn = f"arn:aws:glue:{caller.region}:{account}:table/{database}/{table}"
    parameters = {"tableArn": table_arn, "permissions": ["SELECT"], "durationSeconds": 3600,
                  "auditContext": {"additionalAuditContext": f"{{queryId: {query_id}}}"}}
    cloudtrail.record_service_call(
        caller.acting_as(caller.principal, invoked_by), "lakeformation.amazonaws.com", "GetDataAccess",
        request_parameters=parameters, error_code="AccessDenied" if denied else None, error_message=denied,
        resources=(("AWS::Glue::Table", table_arn),))


def _clear_on_reset() -> None:
    """Decisions are made before Lake Formation's own API is first called, so reset must clear them regardless."""
    from lakelab.emulator import registry
    from lakelab.emulator.services.lakeformation import decisions

    registry.on_reset(store.reset)
    registry.on_reset(decisions.forget)


_clear_on_reset()
