"""Redshift that runs SQL: the Data API on the shared engine, clusters (moto's) and Serverless (ours).

moto keeps provisioned clusters (``CreateCluster``, ``DescribeClusters``, their IAM roles) and answers
its Data API with the same made-up rows for any SQL. Here the Data API is a native service whose
statements run on the emulator's one DuckDB engine (``engine/``), each database of each cluster or
workgroup a catalog of its own there; Redshift Serverless (namespaces, workgroups) is native too.
Modules, by concern:

- ``api`` (the Data API's operations), ``metadata`` (ListDatabases, ListSchemas, ListTables,
  DescribeTable), ``statements`` (states, worker threads, batches, cancelling), ``events``
  (WithEvent), ``results`` (typed fields, column metadata, pages, CSV), ``targets`` (cluster or
  workgroup, the database user and the IAM permission connecting needs)
- ``serverless`` (namespaces, workgroups, GetCredentials), ``serverless_tags`` (their tags),
  ``clusters`` (moto's clusters: default IAM role, ModifyClusterIamRoles, Endpoint), ``warehouse``
  (a database's catalog in the engine, and what Redshift's system tables report)
- ``commands`` (which statement), ``dialect`` (Redshift SQL to the engine's; Redshift's error shape),
  ``tables`` (CREATE TABLE with DISTSTYLE, DISTKEY, SORTKEY, ENCODE, IDENTITY, character lengths),
  ``system`` (SVV_TABLE_INFO, PG_TABLE_DEF, STL_LOAD_ERRORS, SYS_LOAD_ERROR_DETAIL, SYS_LOAD_HISTORY,
  SYS_QUERY_HISTORY)
- ``options``, ``loads`` and ``text_records`` (COPY), ``unloads`` (UNLOAD), ``spectrum`` (external
  schemas over Glue)
- ``wire`` and ``wire_sessions`` (the Endpoint: PostgreSQL's protocol for redshift_connector and
  BI tools)

What works: ExecuteStatement (ClusterIdentifier or WorkgroupName; DbUser, SecretArn or the caller's
IAM identity, each with the IAM permission AWS requires; ``:name`` Parameters; StatementName;
ClientToken; WithEvent), BatchExecuteStatement (one transaction: the first
failure rolls back and aborts the rest), DescribeStatement with SubStatements, GetStatementResult
(typed fields, ColumnMetadata, TotalNumRows, NextToken), GetStatementResultV2 for ``ResultFormat=CSV``,
ListStatements, CancelStatement, ListDatabases/ListSchemas/ListTables/DescribeTable; COPY from S3
(Parquet, CSV with its options, pipe-delimited text, JSON 'auto'; GZIP; MANIFEST; MAXERROR with
STL_LOAD_ERRORS on a cluster, SYS_LOAD_ERROR_DETAIL and SYS_LOAD_HISTORY on both), UNLOAD (text, CSV,
Parquet, JSON; PARTITION BY; MANIFEST [VERBOSE]; HEADER; ALLOWOVERWRITE/CLEANPATH, CLEANPATH only in
the partition folders written; PARALLEL OFF), IAM_ROLE checked against the cluster's or namespace's
roles and S3 read or written as that role (IAM evaluated); CREATE TABLE's physical design reported in
SVV_TABLE_INFO and PG_TABLE_DEF; IDENTITY columns; materialized views with REFRESH; late-binding views
(tables must be schema-qualified); MERGE, QUALIFY, LISTAGG ... WITHIN GROUP, GETDATE, SYSDATE,
DATEADD, DATEDIFF, NVL, NVL2, DECODE, APPROXIMATE COUNT(DISTINCT), TOP; PG_LAST_COPY_ID() (a Data
API statement or batch is one session, an Endpoint connection another); SYS_QUERY_HISTORY; Spectrum
(CREATE EXTERNAL SCHEMA ... FROM DATA CATALOG reading Glue tables in S3 as the schema's role);
CREATE/DROP DATABASE; a cluster's or workgroup's Endpoint answers PostgreSQL's wire protocol with
the admin password or GetClusterCredentials/GetCredentials' temporary ones, and refuses a wrong
password (tested with ``redshift_connector``; psycopg is not in the course's environment and was
not tried). SQL that does not parse fails the statement with ``ERROR: syntax error at or near
"<token>"``.

Fidelity notes:

> One engine holds every table once: DISTSTYLE, DISTKEY, SORTKEY and ENCODE are accepted and
> reported, never acted on (no slices, no skew, no zone maps); ANALYZE and VACUUM do nothing; WLM,
> query queues, concurrency scaling, the result cache and sessions (``SessionKeepAliveSeconds``) are
> not modelled; ``WithEvent`` puts the "Redshift Data Statement Status Change" event on the default
> event bus. Views are not bound to their tables (DROP TABLE under a view succeeds; the view fails
> when queried). VARCHAR(n) and CHAR(n) are checked in bytes on write, but CHAR is not
> blank-padded. SUM of BIGINT answers int8 where Redshift answers numeric (while it fits in 64
> bits). Database users, groups and GRANTs are not modelled: whoever may connect sees every table, and
> GRANT, REVOKE and CREATE USER/GROUP/ROLE fail by name. EXPLAIN shows the engine's plan.
> COPY reads Parquet by column position with the engine's casts (Redshift refuses more type
> mismatches); ORC, Avro, fixed-width, JSONPaths files and BZIP2/LZOP/ZSTD are refused by name.
> UNLOAD writes one file per partition (a cluster writes one per slice). A COPY, UNLOAD or Spectrum
> read is authorized with the role's policy when it lists and reads the objects; Lake Formation does
> not govern Spectrum here. A workgroup refuses the provisioned-only STL and STV views (``permission
> denied for relation ...``), as Serverless does. The Data API keeps statements 24 hours; its page size (10,000 rows) is
> this emulator's, AWS pages by size. Temporary tables last one statement (each Data API call is its
> own session). Error messages AWS does not document were worded here and say "unverified" where
> they are raised. The Endpoint (``wire``) speaks PostgreSQL's protocol through Buena Vista at
> 127.0.0.1 and a port of its own, without TLS, in text format, with SQLSTATEs mapped from a few
> messages only.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("redshift",)
PATCHES = (
    Patch("RedshiftResponse", "create_cluster", wrap=".clusters:keeps_default_role",
          why="moto drops DefaultIamRoleArn; COPY and UNLOAD's IAM_ROLE default names it"),
    Patch("RedshiftResponse", "modify_cluster_iam_roles", value=".clusters:modify_cluster_iam_roles", adds=True,
          why="moto lacks ModifyClusterIamRoles, how a role is associated with a running cluster"),
    Patch("RedshiftBackend", "delete_cluster", wrap=".clusters:forgets_databases",
          why="a deleted cluster's listener stops and its databases leave the shared engine"),
    Patch("RedshiftCluster", "address", wrap=".clusters:endpoint_address",
          why="the Endpoint reports where the cluster's PostgreSQL-protocol listener answers"),
    Patch("RedshiftBackend", "get_cluster_credentials", wrap=".clusters:opens_endpoint",
          why="GetClusterCredentials' temporary password logs in at the Endpoint until it expires"),
)


def install() -> None:
    """Listeners stop on reset (moto forgets the clusters)."""
    from lakelab.emulator import registry
    from lakelab.emulator.services.redshift import wire

    registry.on_reset(wire.stop_all)
NATIVE_SERVICES = {"redshift-data": ".api:Service", "redshift-serverless": ".serverless:Service"}
