"""The Redshift Data API (JSON, signing name ``redshift-data``), run on the shared engine.

moto's Data API answers the same three made-up rows for any SQL and lacks most operations, so the
Data API is a native service here (moto's is never reached). Statements are kept per account and
Region for 24 hours, as AWS keeps them, newest first in ListStatements.
(https://docs.aws.amazon.com/redshift-data/latest/APIReference/Welcome.html)
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.redshift import dialect, metadata, results, statements, targets, warehouse
from lakelab.emulator.services.redshift.statements import Statement, SubStatement
from lakelab.emulator.services.redshift.targets import DataApiError, Target

# DescribeStatement waits this long for a running statement before answering (or WaitTimeSeconds),
# so clients that poll (awswrangler sleeps 0.25 s, then longer) see fast statements end at once.
POLL_WAIT_SECONDS = 1.0
KEPT_SECONDS = 24 * 3600
_statements: dict[tuple[str, str], OrderedDict[str, Statement]] = {}
_tokens: dict[tuple[str, str, str], str] = {}  # (account, region, ClientToken) -> statement id
_lock = threading.RLock()


def _kept() -> OrderedDict[str, Statement]:
    caller = context.current()
    key = (caller.principal.account_id, caller.region)
    with _lock:
        found = _statements.setdefault(key, OrderedDict())
        horizon = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=KEPT_SECONDS)
        while found and next(iter(found.values())).created < horizon:
            found.popitem(last=False)
        return found


def _find(statement_id: str | None) -> tuple[Statement, SubStatement | None]:
    parent, _, index = (statement_id or "").partition(":")
    found = _kept().get(parent)
    if found is None:
        raise DataApiError("ResourceNotFoundException", "Query does not exist.")
    if not index:
        return found, None
    if not index.isdigit() or not 1 <= int(index) <= len(found.subs):
        raise DataApiError("ResourceNotFoundException", "Query does not exist.")
    return found, found.subs[int(index) - 1]


# --- running ------------------------------------------------------------------------------------

def _start(body: dict[str, Any], sqls: list[str], is_batch: bool) -> dict[str, Any]:
    caller = context.current()
    token = (caller.principal.account_id, caller.region, str(body.get("ClientToken") or ""))
    if token[2] and token in _tokens and _tokens[token] in _kept():
        return _started(_kept()[_tokens[token]])  # the same request, retried (idempotent)
    target = targets.resolve(body)
    if not body.get("Database"):
        raise DataApiError("ValidationException", "Database is required.")  # unverified wording
    if body.get("SecretArn") and body.get("DbUser"):
        raise DataApiError("ValidationException", "Only one of DbUser or SecretArn may be specified.")  # unverified
    for sql in sqls:
        if not sql or not sql.strip():
            raise DataApiError("ValidationException", "Sql is required.")  # unverified wording
    if body.get("SessionKeepAliveSeconds") or body.get("SessionId"):
        raise DataApiError("ValidationException", "Sessions (SessionKeepAliveSeconds, SessionId) are not supported "
                           "by the Lake Labs emulator.")
    database = str(body["Database"]).lower()
    user = targets.database_user(target, body)
    result_format = body.get("ResultFormat") or "JSON"
    statement = Statement(target, database, user, sqls, is_batch, body.get("Parameters"), body.get("StatementName"),
                          body.get("SecretArn"), body.get("DbUser"), result_format, bool(body.get("WithEvent")))
    with _lock:
        _kept()[statement.id] = statement
        if token[2]:
            _tokens[token] = statement.id
    if database not in warehouse.databases(target.account_id, target.region, target.storage, target.default_database):
        for sub in statement.subs:
            sub.status, sub.error = "ABORTED", None
        statements._finish(statement, "FAILED", f'FATAL: database "{database}" does not exist')
    else:
        statements.submit(statement, warehouse.warehouse(target.account_id, target.region, target.storage, database))
    return _started(statement)


def _started(statement: Statement) -> dict[str, Any]:
    answer: dict[str, Any] = {"Id": statement.id, "CreatedAt": statement.created.timestamp(),
                              "Database": statement.database, "DbGroups": []}
    answer.update(_target_fields(statement.target))
    if statement.db_user:
        answer["DbUser"] = statement.db_user
    if statement.secret_arn:
        answer["SecretArn"] = statement.secret_arn
    return answer


def _target_fields(target: Target) -> dict[str, str]:
    return {"ClusterIdentifier": target.name} if target.kind == "cluster" else {"WorkgroupName": target.name}


def execute_statement(body: dict[str, Any]) -> dict[str, Any]:
    sql = body.get("Sql") or ""
    parts = dialect.split(sql)
    return _start(body, parts or [sql], is_batch=False)


def batch_execute_statement(body: dict[str, Any]) -> dict[str, Any]:
    sqls = list(body.get("Sqls") or [])
    if not sqls or len(sqls) > 40:
        raise DataApiError("ValidationException", "Sqls must hold 1 to 40 SQL statements.")  # API reference: 1-40
    return _start(body, sqls, is_batch=True)


def cancel_statement(body: dict[str, Any]) -> dict[str, Any]:
    statement, _ = _find(body.get("Id"))
    if statement.status in statements.FINAL:
        raise DataApiError("ValidationException",
                           f"Could not cancel a query that is already in {statement.status} state.")
    return {"Status": statements.cancel(statement)}


# --- describing -----------------------------------------------------------------------------------

def _wait(statement: Statement, body: dict[str, Any]) -> None:
    if statement.status not in statements.FINAL:
        seconds = body.get("WaitTimeSeconds")
        statement.done.wait(min(float(seconds), 30.0) if seconds is not None else POLL_WAIT_SECONDS)


def describe_statement(body: dict[str, Any]) -> dict[str, Any]:
    statement, sub = _find(body.get("Id"))
    _wait(statement, body)
    answer: dict[str, Any] = {
        "Id": statement.id if sub is None else sub.id, "Database": statement.database,
        "CreatedAt": statement.created.timestamp(), "UpdatedAt": statement.updated.timestamp(),
        "Status": statement.status if sub is None else sub.status, "RedshiftPid": statement.pid,
        "ResultFormat": statement.result_format, **_target_fields(statement.target),
        "DbUser": statement.user,
    }
    if statement.secret_arn:
        answer["SecretArn"] = statement.secret_arn
    if statement.parameters:
        answer["QueryParameters"] = statement.parameters
    if sub is not None or not statement.is_batch:
        shown = sub or statement.last
        answer.update(_sub_fields(shown, statement, whole=sub is None))
    else:
        answer.update({"HasResultSet": any(s.has_result_set for s in statement.subs),
                       "Duration": statement.duration_ns if statement.status in statements.FINAL else -1,
                       "ResultRows": -1, "ResultSize": -1, "RedshiftQueryId": 0,
                       "SubStatements": [_sub_description(s) for s in statement.subs]})
        if statement.error:
            answer["Error"] = statement.error
    return answer


def _sub_fields(sub: SubStatement, statement: Statement, whole: bool) -> dict[str, Any]:
    found = {"QueryString": "; ".join(statement.sqls) if whole else sub.sql, "HasResultSet": sub.has_result_set,
             "ResultRows": sub.result_rows, "ResultSize": sub.result_size, "RedshiftQueryId": sub.query_id,
             "Duration": (statement.duration_ns if whole else sub.duration_ns)
             if (statement.status if whole else sub.status) in statements.FINAL else -1}
    error = statement.error if whole else sub.error
    if error:
        found["Error"] = error
    return found


def _sub_description(sub: SubStatement) -> dict[str, Any]:
    found = {"Id": sub.id, "Status": sub.status, "CreatedAt": sub.created.timestamp(),
             "UpdatedAt": sub.updated.timestamp(), "QueryString": sub.sql, "HasResultSet": sub.has_result_set,
             "ResultRows": sub.result_rows, "ResultSize": sub.result_size, "RedshiftQueryId": sub.query_id,
             "Duration": sub.duration_ns if sub.status in statements.FINAL else -1}
    if sub.error:
        found["Error"] = sub.error
    return found


def _result_of(body: dict[str, Any], csv_wanted: bool) -> tuple[Statement, results.Result]:
    statement, sub = _find(body.get("Id"))
    _wait(statement, body)
    if sub is None and statement.is_batch:
        raise DataApiError("ValidationException", "Provide the Id of a sub-statement (<Id>:<n>) to get a batch's "
                           "results.")  # unverified wording
    shown = sub or statement.last
    if shown.status != "FINISHED" or shown.result is None:
        raise DataApiError("ResourceNotFoundException", "Query does not have result. Please check query status "
                           "with DescribeStatement.")
    if csv_wanted != (statement.result_format.upper() == "CSV"):
        operation = "GetStatementResultV2" if statement.result_format.upper() == "CSV" else "GetStatementResult"
        raise DataApiError("ValidationException", f"The statement was run with ResultFormat "
                           f"{statement.result_format}: use {operation}.")  # unverified wording
    return statement, shown.result


def get_statement_result(body: dict[str, Any]) -> dict[str, Any]:
    _, result = _result_of(body, csv_wanted=False)
    try:
        records, following = results.page(result, body.get("NextToken"))
    except ValueError as bad:
        raise DataApiError("ValidationException", str(bad)) from None
    answer = {"Records": records, "ColumnMetadata": results.column_metadata(result), "TotalNumRows": len(result.rows)}
    if following:
        answer["NextToken"] = following
    return answer


def get_statement_result_v2(body: dict[str, Any]) -> dict[str, Any]:
    _, result = _result_of(body, csv_wanted=True)
    try:
        records, following = results.csv_page(result, body.get("NextToken"))
    except ValueError as bad:
        raise DataApiError("ValidationException", str(bad)) from None
    answer = {"Records": records, "ColumnMetadata": results.column_metadata(result), "TotalNumRows": len(result.rows),
              "ResultFormat": "CSV"}
    if following:
        answer["NextToken"] = following
    return answer


def list_statements(body: dict[str, Any]) -> dict[str, Any]:
    """The caller's statements: its IAM role's (or user's), or with RoleLevel false its session's only."""
    status = (body.get("Status") or "ALL").upper()
    prefix = body.get("StatementName") or ""
    caller = context.principal()
    role_level = body.get("RoleLevel", True) is not False
    found = [s for s in reversed(list(_kept().values()))
             if (s.owner == (caller.role_arn or caller.arn) if role_level else s.principal == caller.arn)
             and (status == "ALL" or s.status == status) and (s.name or "").startswith(prefix)
             and (not prefix or s.name) and _matches_target(s, body)
             and (not body.get("Database") or s.database == str(body["Database"]).lower())]
    start, size = int(body.get("NextToken") or 0), min(int(body.get("MaxResults") or 100), 100)
    answer: dict[str, Any] = {"Statements": [_listed(s) for s in found[start : start + size]]}
    if start + size < len(found):
        answer["NextToken"] = str(start + size)
    return answer


def _matches_target(statement: Statement, body: dict[str, Any]) -> bool:
    if body.get("ClusterIdentifier"):
        return statement.target.kind == "cluster" and statement.target.name == body["ClusterIdentifier"]
    if body.get("WorkgroupName"):
        return statement.target.kind == "workgroup" and statement.target.name == body["WorkgroupName"]
    return True


def _listed(statement: Statement) -> dict[str, Any]:
    found: dict[str, Any] = {"Id": statement.id, "Status": statement.status, "IsBatchStatement": statement.is_batch,
                             "CreatedAt": statement.created.timestamp(), "UpdatedAt": statement.updated.timestamp(),
                             "ResultFormat": statement.result_format}
    if statement.is_batch:
        found["QueryStrings"] = list(statement.sqls)
    else:
        found["QueryString"] = "; ".join(statement.sqls)
    for key, value in (("StatementName", statement.name), ("SecretArn", statement.secret_arn),
                       ("QueryParameters", statement.parameters)):
        if value:
            found[key] = value
    return found


OPERATIONS = {
    "ExecuteStatement": execute_statement, "BatchExecuteStatement": batch_execute_statement,
    "CancelStatement": cancel_statement, "DescribeStatement": describe_statement,
    "GetStatementResult": get_statement_result, "GetStatementResultV2": get_statement_result_v2,
    "ListStatements": list_statements, "ListDatabases": metadata.list_databases,
    "ListSchemas": metadata.list_schemas, "ListTables": metadata.list_tables, "DescribeTable": metadata.describe_table,
}


class Service:
    """The native service the emulator routes ``redshift-data``-signed requests to."""

    name = "redshift-data"

    def handle(self, request: Any) -> Any:
        from werkzeug.wrappers import Response

        operation = (request.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
        try:
            handler = OPERATIONS.get(operation)
            if handler is None:
                raise DataApiError("UnsupportedOperation", f"{operation or request.path} is not a Redshift Data API "
                                   "operation the Lake Labs emulator implements.")
            try:
                body = json.loads(request.get_data() or b"{}")
            except ValueError:
                raise DataApiError("SerializationException", "The request body is not valid JSON.") from None
            answer = handler(body)
        except DataApiError as error:
            return Response(json.dumps({"__type": error.code, "Message": error.message}), status=error.status,
                            content_type="application/x-amz-json-1.1", headers={"x-amzn-ErrorType": error.code})
        return Response(json.dumps(answer, default=str), status=200, content_type="application/x-amz-json-1.1")

    def reset(self) -> None:
        with _lock:
            for kept in _statements.values():
                for statement in kept.values():
                    statements.cancel(statement)
            _statements.clear()
            _tokens.clear()
        warehouse.reset()
