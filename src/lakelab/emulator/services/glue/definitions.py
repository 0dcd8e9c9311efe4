"""UpdateJob and UpdateTrigger, which moto (5.2.5) lacks: a job or a trigger brought to a wanted state.

- ``UpdateJob`` (AWS Glue API, "UpdateJob"): "Updates an existing job definition. The previous job
  definition is completely overwritten by this information." Every field of ``JobUpdate`` replaces the
  job's; a field left out goes back to its default (as at CreateJob). The job keeps its name, tags,
  creation time and its runs; ``LastModifiedOn`` moves. An unknown job: ``EntityNotFoundException``.
  The answer is ``{"JobName": name}``.
- ``UpdateTrigger`` (AWS Glue API, "UpdateTrigger"): the fields ``TriggerUpdate`` gives (``Description``,
  ``Schedule``, ``Actions``, ``Predicate``, ``EventBatchingCondition``) replace the trigger's; its type,
  state and tags stay. The answer is ``{"Trigger": ...}`` as GetTrigger shows it.

Fidelity notes: whether UpdateTrigger resets the fields ``TriggerUpdate`` leaves out is unverified (here
they stay); a trigger's ``Name`` in ``TriggerUpdate`` (a rename) is refused, not applied.
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator import seam

# JobUpdate fields -> FakeJob attributes, with the value a field left out goes back to (CreateJob's).
_JOB_FIELDS: dict[str, tuple[str, Any]] = {
    "Description": ("description", None), "LogUri": ("log_uri", None), "Role": ("role", None),
    "ExecutionProperty": ("execution_property", {}), "Command": ("command", None),
    "DefaultArguments": ("default_arguments", {}), "NonOverridableArguments": ("non_overridable_arguments", None),
    "Connections": ("connections", None), "MaxRetries": ("max_retries", None),
    "AllocatedCapacity": ("allocated_capacity", None), "Timeout": ("timeout", None),
    "MaxCapacity": ("max_capacity", None), "WorkerType": ("worker_type", None),
    "NumberOfWorkers": ("number_of_workers", None), "SecurityConfiguration": ("security_configuration", None),
    "NotificationProperty": ("notification_property", None), "GlueVersion": ("glue_version", None),
    "CodeGenConfigurationNodes": ("code_gen_configuration_nodes", None),
    "ExecutionClass": ("execution_class", "STANDARD"), "SourceControlDetails": ("source_control_details", None),
}


def _refuse(message: str) -> None:
    raise seam.GlueClientError("InvalidInputException", message)


def update_job(response: Any) -> Any:
    """``GlueResponse.update_job``: the job's definition replaced by ``JobUpdate``."""
    name, update = response.parameters.get("JobName"), response.parameters.get("JobUpdate") or {}
    job = response.glue_backend.get_job(name)  # EntityNotFoundException for an unknown job
    if not update.get("Role") or not (update.get("Command") or {}).get("Name"):
        _refuse("Role and Command.Name are required in JobUpdate")  # unverified wording
    for field, (attribute, default) in _JOB_FIELDS.items():
        value = update.get(field)
        if value is None:
            value = dict(default) if isinstance(default, dict) else default
        setattr(job, attribute, value)
    job.last_modified_on = seam.utcnow()
    return seam.ActionResult({"JobName": name})


def update_trigger(response: Any) -> Any:
    """``GlueResponse.update_trigger``: the fields ``TriggerUpdate`` gives replace the trigger's."""
    name, update = response.parameters.get("Name"), response.parameters.get("TriggerUpdate") or {}
    trigger = response.glue_backend.get_trigger(name)  # EntityNotFoundException for an unknown trigger
    if update.get("Name") not in (None, name):
        _refuse("A trigger cannot be renamed: TriggerUpdate.Name must be the trigger's name")  # unverified wording
    if "Predicate" in update:
        if not update["Predicate"] and trigger.trigger_type == "CONDITIONAL":
            _refuse("Predicate cannot be null or empty")
        trigger.predicate = seam.GlueTriggerPredicate(update["Predicate"]) if update["Predicate"] else None
    if "Actions" in update:
        trigger.actions = [seam.GlueTriggerAction(action) for action in update["Actions"]]
    if "Schedule" in update:
        trigger.schedule = update["Schedule"]
    if "Description" in update:
        trigger.description = update["Description"]
    if "EventBatchingCondition" in update:
        trigger.event_batching_condition = update["EventBatchingCondition"]
    return seam.ActionResult({"Trigger": trigger.as_dict()})
