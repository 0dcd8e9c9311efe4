"""Redshift Serverless tags: ``tags`` given to CreateNamespace and CreateWorkgroup, TagResource,
UntagResource and ListTagsForResource by ``resourceArn``.

As the Redshift Serverless API reference gives them
(https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_TagResource.html and
``API_Tag.html``): tags are ``[{"key": ..., "value": ...}]`` (lowercase), a key 1 to 128 characters, a
value up to 256, at most 200 in one request; a tag whose key the resource has replaces its value;
TagResource and UntagResource answer an empty body, ListTagsForResource ``{"tags": [...]}``;
an unknown ARN is ``ResourceNotFoundException`` with ``resourceName``, too many tags
``TooManyTagsException``. Fidelity notes: a resource holds at most 50 tags here (Redshift's
documented limit for a provisioned cluster; Serverless' own is unverified); only namespaces and
workgroups are taggable (snapshots, recovery points and the rest are not modelled: their ARNs are
not found). The error messages were worded here (unverified).
"""

from __future__ import annotations

from typing import Any

MAX_TAGS_PER_RESOURCE = 50
MAX_TAGS_PER_REQUEST = 200


def _error(code: str, message: str, **fields: str) -> Exception:
    from lakelab.emulator.services.redshift.serverless import ServerlessError

    return ServerlessError(code, message, fields=fields)


def parsed(tags: Any) -> dict[str, str]:
    """A request's ``tags`` as a dict, refusing what the API reference's constraints refuse."""
    if tags is None:
        return {}
    if not isinstance(tags, list) or len(tags) > MAX_TAGS_PER_REQUEST:
        raise _error("ValidationException", f"tags must be a list of at most {MAX_TAGS_PER_REQUEST} "
                     "{key, value} objects.")
    found: dict[str, str] = {}
    for tag in tags:
        key, value = (tag or {}).get("key"), (tag or {}).get("value")
        if not isinstance(key, str) or not 1 <= len(key) <= 128:
            raise _error("ValidationException", "Each tag needs a key of 1 to 128 characters.")
        if not isinstance(value, str) or len(value) > 256:
            raise _error("ValidationException", f"The value of tag {key} must be a string of at most 256 characters.")
        found[key] = value
    return found


def merged(resource: Any, name: str, tags: dict[str, str]) -> None:
    """``tags`` onto ``resource`` (a key it has gets the new value), within the per-resource limit."""
    combined = {**resource.tags, **tags}
    if len(combined) > MAX_TAGS_PER_RESOURCE:
        raise _error("TooManyTagsException", f"{name} would have {len(combined)} tags: a resource can have at "
                     f"most {MAX_TAGS_PER_RESOURCE}.", resourceName=name)
    resource.tags = combined


def listed(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in tags.items()]


def _resource(found: Any, body: dict[str, Any]) -> Any:
    arn = body.get("resourceArn")
    if not arn or not isinstance(arn, str):
        raise _error("ValidationException", "resourceArn is required.")
    for resource in [*found.namespaces.values(), *found.workgroups.values()]:
        if resource.arn == arn:
            return resource
    raise _error("ResourceNotFoundException", f"Resource {arn} does not exist.", resourceName=arn)


def tag_resource(found: Any, body: dict[str, Any]) -> dict[str, Any]:
    if body.get("tags") is None:
        raise _error("ValidationException", "tags is required.")
    resource = _resource(found, body)
    merged(resource, body["resourceArn"], parsed(body["tags"]))
    return {}


def untag_resource(found: Any, body: dict[str, Any]) -> dict[str, Any]:
    keys = body.get("tagKeys")
    if not isinstance(keys, list):
        raise _error("ValidationException", "tagKeys is required.")
    resource = _resource(found, body)
    resource.tags = {key: value for key, value in resource.tags.items() if key not in keys}
    return {}


def list_tags_for_resource(found: Any, body: dict[str, Any]) -> dict[str, Any]:
    return {"tags": listed(_resource(found, body).tags)}


OPERATIONS = {"TagResource": tag_resource, "UntagResource": untag_resource,
              "ListTagsForResource": list_tags_for_resource}
