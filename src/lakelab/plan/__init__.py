"""``lakelab plan``: before a lab on a real account, what it creates, what it costs, and the least privilege it needs.

- ``run``: one run of a solution as the learner's role ``LakeLabs-<learner>`` on a fresh emulator, IAM
  enforced, in a process of its own; ``capture``: what IAM decided for that role, and its CloudTrail events.
- ``policy``: the policy from those decisions (resources generalized to the course's prefix), unions and
  splits into managed policies; ``baseline``: the figures it is compared with (``AdministratorAccess``).
- ``planner``: learn, then prove; plans kept by the hash of the solution's code; ``estimate``: the cost;
  ``report``: the text, the JSON and the policy file for one learner, account and Region; ``commands``: the CLI.

Fidelity notes (where the generated policy may still differ from what AWS needs):

- Actions and resources are those the emulator's IAM layer checks. Where it builds no ARN for a service
  (RDS, DMS, AppFlow, Lake Formation, Redshift Serverless, most listings) it checks ``*``, so the policy
  says ``*`` where AWS might allow a narrower resource: broader than needed, never too narrow for the run.
- A call the IAM layer names no action for is listed in the plan (``not_named_by_iam``), not in the policy.
- What only a fresh AWS account does is added, not observed: ``iam:CreateServiceLinkedRole`` for the
  services that create a service-linked role on first use (``policy.SERVICE_LINKED_ROLES``). DMS's
  ``dms-vpc-role``, which AWS asks the account to create before the first replication instance, is not:
  create it once as an administrator.
- Conditions: only ``iam:PassedToService`` on ``iam:PassRole``. IAM Access Analyzer's policy generation
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html) reads a trail
  of up to 90 days and leaves resource ARNs as placeholders to fill; here the run is the lab's solution and
  resources are filled with the course's names.
- Costs use the dated prices in ``lakelab.course.costs`` and the stated assumptions in ``estimate``.
"""
