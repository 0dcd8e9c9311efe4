"""Lake Formation, enforced: grants, data filters and LF-tags that decide what an Athena query reads.

moto stores grants and LF-tags and enforces none; it has no data cells filters, routes no
``CreateDataCellsFilter`` at all, merges a revoke into the wrong grant and lists LF-tags of every
resource under one made-up ARN. Changing it would have meant patching nearly every method and its
routing table, so Lake Formation is a native service here (moto's backend is never reached), with
its state per account and Region. Modules, by concern:

- ``api`` (the operations), ``store`` (what is kept), ``catalog`` (the Glue catalog, and the
  default permissions of new databases and tables), ``principals`` (who a grant is for, who asks)
- ``settings`` (data lake settings, registered locations), ``optins`` (hybrid access mode),
  ``grants`` (Grant/Revoke/Batch/List),
  ``resources`` (what a grant may name, checked against the catalog), ``tags`` (LF-tags, their
  inheritance, and searching by them), ``filters`` (data cells filters and their row filter expressions)
- ``locations`` (``DATA_LOCATION_ACCESS``, patched onto Glue's ``create_table`` and ``update_table``)
  and ``creation`` (``CREATE_TABLE``, and the implicit permissions of database and table creators,
  recorded through Glue's ``create_database`` and ``create_table``)
- ``decisions`` (what a principal may read of a table, and lacks to change one) and ``calls`` (for Athena's planner, which
  rewrites each governed table into a projected, filtered subquery: see ``services/athena/governance``)

Fidelity notes:

> Only Athena is governed. A Glue or EMR Spark job, a Lambda function, or anything else that
> reads the S3 objects directly is governed by IAM alone -- as on AWS for engines that do not
> integrate with Lake Formation's credential vending. Athena's ``DESCRIBE``, ``SHOW COLUMNS``,
> ``SHOW CREATE TABLE`` and ``information_schema`` show a governed table's granted columns (all of
> them with DESCRIBE on the table), but Glue's own API (GetTable, GetTables, GetDatabases) still
> shows every database, table and column: Lake Formation's filtering of Glue is not modelled.
> Changes through Athena are checked against the table's INSERT, DELETE, ALTER and DROP grants
> (``decisions.lacks``: UPDATE, MERGE and OPTIMIZE need INSERT and DELETE, the emulator's reading);
> Creating a table (Athena, crawlers, Glue's API) in a database ``IAMAllowedPrincipals`` does not cover
> needs CREATE_TABLE on it (``creation.check_create_table``); changes through Glue's API or a Spark job
> are not checked; a table's location is (``DATA_LOCATION_ACCESS``). A table whose location is not registered
> but that ``IAMAllowedPrincipals`` no longer covers needs a SELECT grant to be read, and is then
> read whole with the caller's IAM permissions: without credential vending, nothing narrows it
> (how AWS's Athena treats that case was not checked here).
> The course's root credentials administer Lake Formation as a data lake administrator would,
> and their queries are not governed (as the emulator's IAM layer never denies root); on AWS the
> root user is no data lake administrator and reads nothing without grants. Query as a role to
> see Lake Formation at work. Data lake administrators, as on AWS, get no data without grants.
> A table's creator holds all permissions on it, and a database's creator may create tables in it
> (implicitly, as on AWS, recorded when Glue creates them for a role or user). Grants to
> other accounts, organizations and Identity Center principals are stored and never match.
> A governed table read through a view is governed by the grants on its tables (a grant on the
> view itself is not needed here). Error messages Lake Formation's documentation does not give
> were worded here, and say so where they are raised.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

NATIVE_SERVICES = {"lakeformation": ".api:Service"}
SERVICES = ("lakeformation", "glue")  # Lake Formation's own (native here), and Glue's tables it checks

PATCHES = (
    Patch("GlueBackend", "create_table", wrap=".locations:checks_create_table",
          why="a table in a registered location needs DATA_LOCATION_ACCESS on it (Lake Formation)"),
    Patch("GlueBackend", "create_database", wrap=".creation:remembers_database_creator",
          why="a database's creator may create tables in it (implicit Lake Formation permissions)"),
    Patch("GlueBackend", "update_table", wrap=".locations:checks_update_table",
          why="a table moved into a registered location needs DATA_LOCATION_ACCESS on it (Lake Formation)"),
)
