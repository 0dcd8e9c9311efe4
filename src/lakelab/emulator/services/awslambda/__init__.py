"""Lambda extensions: deployed Python functions really run, warm, with logs and triggers.

- ``Invoke`` runs the zip's ``handler(event, context)`` in a worker process kept warm per
  function version (``pool.py``, ``workers.py``, ``runtime_bootstrap.py``), with Lambda's
  environment variables, the execution role's credentials and ``AWS_ENDPOINT_URL`` set to this
  emulator, so boto3 inside the handler talks to it. ``Event`` runs after the answer (202),
  ``DryRun`` only validates (204). Timeouts kill the worker (``Sandbox.Timedout``); errors come
  back as Lambda's documents (``invocation.py``).
- Logs go to CloudWatch Logs ``/aws/lambda/<name>``, one stream per worker (``logs.py``).
- Triggers: S3 notifications (with S3's permission check, ``triggers.py``) and event source
  mappings polled from SQS and Kinesis (``event_sources.py``); a Kinesis mapping bisects failed
  batches, retries up to ``MaximumRetryAttempts`` and describes a batch it gives up to its
  on-failure queue or topic (``failure_destinations.py``).

Fidelity notes:

> The handler runs on the interpreter that runs the emulator (the course's virtualenv Python),
> whatever ``Runtime`` says (any Python runtime AWS still lets you create or update, see
> ``runtimes.py``), with the packages installed
> there (boto3, pandas, awswrangler...) importable even if the zip does not ship them. Memory
> size is reported, not enforced. ``tempfile`` writes to a private folder per worker, but a
> hard-coded ``/tmp/...`` path is this machine's /tmp; the code folder is writable. Asynchronous
> invocations (Event, S3, SNS) run one at a time, in order, and are not retried on failure.
> Concurrency limits and throttling are not modelled. The Invoke answer's ``x-amzn-RequestId``
> is moto's, not the ``context.aws_request_id`` the logs show. An on-failure destination is
> written to without asking whether the execution role may send to it (AWS needs
> ``sqs:SendMessage`` or ``sns:Publish`` on the role); ``MaximumRecordAgeInSeconds`` and
> ``ParallelizationFactor`` are stored, not applied.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("awslambda", "s3")  # moto names the Lambda backend "awslambda"; S3 checks a destination

PATCHES = (
    Patch("LambdaFunction", "invoke", value=".hooks:invoke",
          why="moto needs Docker to run a handler; here it runs in a warm worker process"),
    Patch("LambdaFunction", "update_configuration", wrap=".hooks:checked_configuration_update",
          why="Lambda refuses retired runtimes and reserved variables; warm workers must restart on a change"),
    Patch("LambdaFunction", "update_function_code", wrap=".hooks:checked_code_update",
          why="Lambda validates the package and refuses update-blocked runtimes; warm workers restart on new code"),
    Patch("LambdaBackend", "create_function", wrap=".hooks:checked_create",
          why="Lambda refuses bad runtimes, reserved variables and unreadable packages at create"),
    Patch("LambdaBackend", "delete_function", wrap=".hooks:delete_stops_workers",
          why="a deleted function's warm workers must stop"),
    Patch("LambdaBackend", "create_event_source_mapping", wrap=".hooks:mapping_starts_poller",
          why="moto pushes records inside the producer's call; Lambda polls SQS and Kinesis"),
    Patch("LambdaBackend", "send_sns_message", wrap=".hooks:delivered_later",
          why="SNS invokes Lambda asynchronously; moto would run the handler inside Publish"),
    Patch("LambdaResponse", "setup_class", wrap="lakelab.emulator.common.user_code:remembers_endpoint",
          why="handlers need this emulator's address for AWS_ENDPOINT_URL"),
    Patch("LambdaResponse", "invoke", wrap=".hooks:honours_qualifier",
          why="moto reads 'qualifier' but the SDKs send '?Qualifier='"),
    Patch("LambdaBackend", "add_permission", wrap=".permissions:refuses_a_taken_statement_id",
          why="Lambda refuses a StatementId the policy already holds (409); moto appends a second statement"),
    Patch("S3Backend", "put_bucket_notification_configuration", wrap=".triggers:checks_s3_may_invoke",
          why="S3 refuses a Lambda destination that has not granted s3.amazonaws.com invoke"),
)


def install() -> None:
    """Stop workers and pollers on reset and at interpreter exit."""
    import atexit

    from lakelab.emulator import registry

    registry.on_reset(shutdown)
    atexit.register(shutdown)


def shutdown() -> None:
    """Stop pollers and worker processes and remove extracted code (reset and interpreter exit)."""
    from lakelab.emulator.services.awslambda import event_sources, invocation

    pollers = event_sources.stop_all()
    invocation.workers.shutdown()  # first: a poller waiting on a handler gets its answer at once
    event_sources.join(pollers)
    invocation.workers.shutdown()  # and what a poller started meanwhile
