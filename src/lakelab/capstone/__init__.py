"""The capstone's grader: it judges what a learner built by how it behaves, not by its code.

``lakelab grade --lab capstone`` runs the notebook on a fresh emulator (without its Clean up), then the
capstone's criteria (``lakelab.checks.week09_capstone``), from outside the learner's kernel. The first
criterion replays a day of fresh data through the learner's pipeline (:mod:`lakelab.capstone.replay`):
changes committed in the source database, new customer files in ``raw/customers/`` (good rows, bad rows
and a malformed file), clickstream events into the stream (on time, and three days late), then one run of
the orchestration, found by its tag ``component=pipeline`` (a Step Functions state machine or an MWAA
environment). It then breaks the
pipeline on purpose (the pipeline's roles may no longer read ``raw/customers/``) and runs it once more. The
later criteria read what came out: the curated tables, the quarantine, queries as the analyst, the audit
trail's files, the alarms and logs, the warehouse, the tags, and what teardown leaves.

Each criterion is worth 10 points and is judged alone: a half-built capstone loses the criteria whose
outcomes are missing, never the whole grade, and a criterion that meets an error fails with what it saw.

A run is waited for at most 120 s (the broken one 90 s) and run again at most twice while the source's
changes are on their way, so a hung pipeline costs a grading about four minutes at worst, never a hang.

Fidelity notes (what still differs from grading on AWS): every wait is bounded for a local emulator
(DMS batches in seconds, Firehose buffers in seconds, alarms evaluated at the end of each 60 s period);
the MWAA path triggers the environment's unpaused DAGs through ``InvokeRestApi`` (Airflow's REST API v2)
and is tested on the emulator's real Airflow, not against AWS; late clickstream events are replayed, late
customer files and late database changes are not yet.
"""

from lakelab.capstone.contract import CEILING_USD, Contract, contract

__all__ = ["CEILING_USD", "Contract", "contract"]
