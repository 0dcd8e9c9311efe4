"""IAM Access Analyzer's API (REST/JSON, signing name ``access-analyzer``): ``ValidatePolicy`` only.

``POST /policy/validation`` with ``policyDocument`` and ``policyType`` answers ``findings`` (with
``maxResults``/``nextToken`` pages, in the query string). Analyzers, archive rules, findings of external access and
the other policy checks (``CheckAccessNotGranted``, ``CheckNoNewAccess``...) are not implemented
and answer ``UnsupportedOperation`` by name, as do policy types whose own checks are not modelled
(service and resource control policies): nothing is answered as if it had been checked.
"""

from __future__ import annotations

import json
from typing import Any

from lakelab.emulator.services.accessanalyzer.validation import IDENTITY_POLICY, RESOURCE_POLICY, validate

POLICY_TYPES = (IDENTITY_POLICY, RESOURCE_POLICY, "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
_CHECKED_TYPES = (IDENTITY_POLICY, RESOURCE_POLICY)


class AccessAnalyzerError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def validate_policy(body: dict[str, Any]) -> dict[str, Any]:
    document, policy_type = body.get("policyDocument"), body.get("policyType")
    if not isinstance(document, str) or policy_type not in POLICY_TYPES:
        raise AccessAnalyzerError("ValidationException", "policyDocument (a string) and policyType (one of "
                                  f"{', '.join(POLICY_TYPES)}) are required.")
    if policy_type not in _CHECKED_TYPES:
        raise AccessAnalyzerError("UnsupportedOperation", f"ValidatePolicy for {policy_type} is not implemented by "
                                  "the Lake Labs emulator (its checks for identity and resource policies are).")
    located, found = validate(document, policy_type)
    findings = [{"findingDetails": f.message, "findingType": f.finding_type, "issueCode": f.code,
                 "learnMoreLink": f.learn_more_link,
                 "locations": [located.location(path) for path in f.paths] if located else []}
                for f in found]
    return _page(findings, body.get("maxResults"), body.get("nextToken"))


def _page(findings: list[dict[str, Any]], size: Any, token: Any) -> dict[str, Any]:
    start = int(token) if isinstance(token, str) and token.isdigit() else 0
    if not isinstance(size, int) or size <= 0:
        return {"findings": findings[start:]}
    answer: dict[str, Any] = {"findings": findings[start:start + size]}
    if start + size < len(findings):
        answer["nextToken"] = str(start + size)
    return answer


class Service:
    """The native service the emulator routes ``access-analyzer``-signed requests to."""

    name = "access-analyzer"

    def handle(self, request: Any) -> Any:
        from werkzeug.wrappers import Response

        try:
            if request.method != "POST" or request.path.rstrip("/") != "/policy/validation":
                raise AccessAnalyzerError("UnsupportedOperation", f"{request.method} {request.path} is not an IAM "
                                          "Access Analyzer operation the Lake Labs emulator implements (ValidatePolicy "
                                          "is).")
            body = _body(request)
            if "maxResults" in request.args:  # the page's size and token travel in the query string
                body["maxResults"] = int(request.args["maxResults"]) if request.args["maxResults"].isdigit() else 0
            if "nextToken" in request.args:
                body["nextToken"] = request.args["nextToken"]
            answer = validate_policy(body)
        except AccessAnalyzerError as error:
            return Response(json.dumps({"message": error.message}), status=error.status,
                            content_type="application/json", headers={"x-amzn-ErrorType": error.code})
        return Response(json.dumps(answer), status=200, content_type="application/json")

    def reset(self) -> None:
        """ValidatePolicy keeps nothing."""


def _body(request: Any) -> dict[str, Any]:
    try:
        found = json.loads(request.get_data() or b"{}")
    except ValueError:
        raise AccessAnalyzerError("ValidationException", "The request body is not valid JSON.") from None
    if not isinstance(found, dict):
        raise AccessAnalyzerError("ValidationException", "The request body must be a JSON object.")
    return found
