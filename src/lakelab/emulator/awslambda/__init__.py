"""Lambda extensions: deployed Python functions really run, warm, with logs and triggers.

- ``Invoke`` runs the zip's ``handler(event, context)`` in a worker process kept warm per
  function version (``pool.py``, ``workers.py``, ``runtime_bootstrap.py``), with Lambda's
  environment variables, the execution role's credentials and ``AWS_ENDPOINT_URL`` set to this
  emulator, so boto3 inside the handler talks to it. ``Event`` runs after the answer (202),
  ``DryRun`` only validates (204). Timeouts kill the worker (``Sandbox.Timedout``); errors come
  back as Lambda's documents (``invocation.py``).
- Logs go to CloudWatch Logs ``/aws/lambda/<name>``, one stream per worker (``logs.py``).
- Triggers: S3 notifications (with S3's permission check, ``triggers.py``) and event source
  mappings polled from SQS and Kinesis (``event_sources.py``).

Fidelity notes:

> The handler runs on the interpreter that runs the emulator (the course's virtualenv Python),
> whatever ``Runtime`` says (python3.11–python3.14 are accepted), with the packages installed
> there (boto3, pandas, awswrangler...) importable even if the zip does not ship them. Memory
> size is reported, not enforced. ``tempfile`` writes to a private folder per worker, but a
> hard-coded ``/tmp/...`` path is this machine's /tmp; the code folder is writable. Asynchronous
> invocations (Event, S3, SNS) run one at a time, in order, and are not retried on failure.
> Concurrency limits and throttling are not modelled. The Invoke answer's ``x-amzn-RequestId``
> is moto's, not the ``context.aws_request_id`` the logs show.
"""

from __future__ import annotations

SERVICES = ("awslambda",)


def install() -> None:
    import atexit

    from lakelab.emulator import registry
    from lakelab.emulator.awslambda import hooks, triggers

    hooks.apply()
    triggers.install()
    registry.on_reset(shutdown)
    atexit.register(shutdown)


def shutdown() -> None:
    """Stop pollers and worker processes and remove extracted code (reset and interpreter exit)."""
    from lakelab.emulator.awslambda import event_sources, invocation

    pollers = event_sources.stop_all()
    invocation.workers.shutdown()  # first: a poller waiting on a handler gets its answer at once
    event_sources.join(pollers)
    invocation.workers.shutdown()  # and what a poller started meanwhile
