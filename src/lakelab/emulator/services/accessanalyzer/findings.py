"""The findings ValidatePolicy reports: type, issue code and AWS's words, from AWS's policy check reference.

Each message is the ``findingDetails`` text of "Access Analyzer policy check reference" (IAM User
Guide, https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html),
with its placeholders filled. The issue code is the check's title in capitals (``Invalid action``
-> ``INVALID_ACTION``) and ``learnMoreLink`` its anchor on that page, as in the AWS CLI's
``validate-policy`` example (``EMPTY_SID_VALUE`` ->
``#access-analyzer-reference-policy-checks-suggestion-empty-sid-value``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator.services.accessanalyzer.spans import Path

ERROR, SECURITY_WARNING, WARNING, SUGGESTION = "ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION"
_ANCHOR_KIND = {ERROR: "error", SECURITY_WARNING: "security-warning", WARNING: "general-warning",
                SUGGESTION: "suggestion"}
REFERENCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"

# issue code -> (finding type, findingDetails with {placeholders})
CHECKS: dict[str, tuple[str, str]] = {
    "JSON_SYNTAX_ERROR": (ERROR, "Fix the JSON syntax error at index {index} line {line} column {column}."),
    "INVALID_POLICY_ELEMENT": (ERROR, "The policy element {element} is not valid."),
    "INVALID_VERSION": (ERROR, "The version {version} is not valid. Use one of the following versions: {versions}"),
    "MISSING_STATEMENT": (ERROR, "Add a statement to the policy"),
    "MISSING_EFFECT": (ERROR, "Add an Effect element to the policy statement with a value of Allow or Deny."),
    "INVALID_EFFECT": (ERROR, "The effect {effect} is not valid. Use Allow or Deny."),
    "MISSING_ACTION": (ERROR, "Add an Action or NotAction element to the policy statement."),
    "MISSING_RESOURCE": (ERROR, "Add a Resource or NotResource element to the policy statement."),
    "MISSING_PRINCIPAL": (ERROR, "Add a Principal element to the policy statement."),
    "UNSUPPORTED_PRINCIPAL": (ERROR, "The policy type {policy_type} does not support the Principal element. "
                                     "Remove the Principal element."),
    "UNSUPPORTED_ELEMENT_COMBINATION": (ERROR, "The policy elements {first} and {second} can not be used in the "
                                               "same statement. Remove one of these elements."),
    "UNSUPPORTED_SID": (ERROR, "Update the characters in the Sid element to use one of the following character "
                               "types: [a-z, A-Z, 0-9]"),
    "DATA_TYPE_MISMATCH": (ERROR, "The text does not match the expected JSON data type {data_type}."),
    "INVALID_ACTION": (ERROR, "The action {action} does not exist."),
    "INVALID_SERVICE_IN_ACTION": (ERROR, "The service {service} specified in the action does not exist."),
    "INVALID_CONDITION_OPERATOR": (ERROR, "The condition operator {operator} is not valid. Use a valid condition "
                                          "operator."),
    "INVALID_ARN_PREFIX": (ERROR, "Add the required prefix (arn) to the resource ARN."),
    "MISSING_ARN_FIELD": (ERROR, "Resource ARNs must include at least 6 fields in the following structure: "
                                 "arn:partition:service:region:account:resource"),
    "INVALID_PARTITION": (ERROR, "The resource ARN for the service {service} does not support the partition "
                                 "{partition}. Use the supported values: {partitions}"),
    "INVALID_ARN_SERVICE_CASE": (ERROR, "Update the service name in the resource ARN to use all lowercase letters."),
    "INVALID_SERVICE": (ERROR, "The service {service} does not exist. Use a valid service name."),
    "INVALID_ARN_ACCOUNT": (ERROR, "The resource ARN account ID {account} is not valid. Provide a 12-digit "
                                   "account ID."),
    "ARN_ACCOUNT_NOT_ALLOWED": (ERROR, "The service {service} does not support specifying an account ID in the "
                                       "resource ARN."),
    "ARN_REGION_NOT_ALLOWED": (ERROR, "The service {service} does not support specifying a Region in the "
                                      "resource ARN."),
    "MISSING_ARN_REGION": (ERROR, "Add a Region to the {service} resource ARN."),
    "INVALID_ARN_RESOURCE": (ERROR, "Resource ARN does not match the expected ARN format. Update the resource "
                                    "portion of the ARN."),
    "PASS_ROLE_WITH_STAR_IN_RESOURCE": (SECURITY_WARNING, "Using the iam:PassRole action with wildcards (*) in the "
        "resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We "
        "recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement."),
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE": (SECURITY_WARNING, "Using wildcards (*) in the action and the "
        "resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend "
        "that you specify resource ARNs or add the iam:PassedToService condition key to your statement."),
    "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION": (SECURITY_WARNING, "Using a resource with wildcards (*) and "
        "NotAction can be overly permissive because it allows iam:PassRole permissions on all resources. We "
        "recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement."),
    "PASS_ROLE_WITH_NOT_RESOURCE": (SECURITY_WARNING, "Using the iam:PassRole action with NotResource can be overly "
        "permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you "
        "specify resource ARNs instead."),
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE": (SECURITY_WARNING, "Using an action with a wildcard (*) and "
        "NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. "
        "We recommend that you specify resource ARNs instead."),
    "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE": (SECURITY_WARNING, "Using NotAction with NotResource can be overly "
        "permissive because it can allow iam:PassRole permissions on multiple resources.. We recommend that you "
        "specify resource ARNs instead."),
    "ALLOW_WITH_NOT_PRINCIPAL": (SECURITY_WARNING, "Using Allow with NotPrincipal can be overly permissive. We "
                                                   "recommend that you use Principal instead."),
    "MISSING_VERSION": (WARNING, "We recommend that you specify the Version element to help you with debugging "
                                 "permission issues."),
    "UNIQUE_SIDS_RECOMMENDED": (WARNING, "We recommend that you use statement IDs that are unique to your policy. "
                                         "Update the Sid value."),
    "WILDCARD_WITHOUT_LIKE_OPERATOR": (WARNING, "Your condition value includes a * or ? character. If you meant to "
                                                "use a wildcard (*, ?), update the condition operator to include "
                                                "Like."),
    "EMPTY_ARRAY_ACTION": (SUGGESTION, "This statement includes no actions and does not affect the policy. Specify "
                                       "actions."),
    "EMPTY_ARRAY_RESOURCE": (SUGGESTION, "This statement includes no resources and does not affect the policy. "
                                         "Specify resources."),
    "EMPTY_ARRAY_CONDITION": (SUGGESTION, "There are no values for the condition key {key} and it does not affect "
                                          "the policy. Specify conditions."),
    "EMPTY_OBJECT_CONDITION": (SUGGESTION, "This condition block is empty and it does not affect the policy. "
                                           "Specify conditions."),
    "EMPTY_SID_VALUE": (SUGGESTION, "Add a value to the empty string in the Sid element."),
    "REDUNDANT_ACTION": (SUGGESTION, "The {count} action(s) are redundant because they provide similar permissions. "
                                     "Update the policy to remove the redundant action such as: {action}."),
    "REDUNDANT_RESOURCE": (SUGGESTION, "The {count} resource ARN(s) are redundant because they reference the same "
                                       "resource. Review the use of wildcards (*)"),
    "REDUNDANT_STATEMENT": (SUGGESTION, "The statements are redundant because they provide identical permissions. "
                                        "Update the policy to remove the redundant statement."),
    "WILDCARD_IN_SERVICE_NAME": (SUGGESTION, "Avoid using wildcards (*, ?) in the service name because it might "
                                             "grant unintended access to other AWS services with similar names."),
}


@dataclass(frozen=True)
class Finding:
    """One finding, located by the paths of the values it is about."""

    code: str
    paths: tuple[Path, ...]
    details: dict[str, Any] = field(default_factory=dict)
    extra: str = ""  # a sentence after AWS's ("Did you mean s3:GetObject?")

    @property
    def finding_type(self) -> str:
        return CHECKS[self.code][0]

    @property
    def message(self) -> str:
        text = CHECKS[self.code][1].format(**self.details)
        return f"{text} {self.extra}" if self.extra else text

    @property
    def learn_more_link(self) -> str:
        slug = self.code.lower().replace("_", "-")
        return f"{REFERENCE}#access-analyzer-reference-policy-checks-{_ANCHOR_KIND[self.finding_type]}-{slug}"


def finding(code: str, *paths: Path, extra: str = "", **details: Any) -> Finding:
    return Finding(code, paths, details, extra)
