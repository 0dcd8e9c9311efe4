"""``lakelab plan``'s readable report, its JSON, and the policy file, for one learner, account and Region."""

from __future__ import annotations

import json
from pathlib import Path

from lakelab.plan import estimate, policy


def for_learner(made: dict, account: str, region: str, learner: str) -> dict:
    """The plan with names, costs and the policy filled in for this learner, account and Region."""
    charges, minutes = estimate.estimate(made)
    return {
        "lab": made["lab"], "week": made["week"], "solution_sha256": made["solution_sha256"],
        "resources": [{"kind": kind, "name": _name(kind, name, account, region, learner), "size": size}
                      for kind, name, size in made["resources"]],
        "cost": {"lab_minutes": minutes, "usd": round(estimate.total(charges), 4),
                 "charges": [{"item": c.item.replace("{learner}", learner), "quantity": c.quantity, "usd": round(c.usd, 5), "confirmed": c.confirmed}
                             for c in charges], "free": estimate.FREE,
                 "prices": "us-east-1, on demand, dated prices in lakelab.course.costs"},
        "policy": policy.render(policy.for_aws(made["policy"]), account, region, learner),
        "actions": made["actions"], "actions_on_any_resource": made["actions_on_any_resource"],
        "before": made["before"], "validation": made["validation"], "trail": {"events": made["trail"]["events"]},
        "not_named_by_iam": made["not_named_by_iam"], "proof": made["proof"], "seconds": made["seconds"],
    }


def _name(kind: str, name: str, account: str, region: str, learner: str) -> str:
    name = name.replace("{learner}", learner)
    if kind == "bucket" and account != "123456789012":  # S3 names are global: on AWS they carry account and Region
        prefix = f"lakelab-{learner}-"
        return f"{prefix}{account}-{region}-{name.removeprefix(prefix)}"
    return name


def text(planned: dict, source: str) -> str:
    lines = [f"Plan for week {planned['week']} ({planned['lab']}) · {source}", ""]
    lines.append(f"Resources it creates ({len(planned['resources'])}), found as teardown finds them:")
    lines += [f"  {r['kind']:<22} {r['name']}{'  (' + r['size'] + ')' if r['size'] else ''}"
              for r in planned["resources"]]
    cost = planned["cost"]
    lines += ["", f"Estimated cost on a real account for a {cost['lab_minutes']}-minute lab ({cost['prices']}):"]
    lines += [f"  {c['item']:<72} {c['quantity']:>22}  ${c['usd']:.4f}{'' if c['confirmed'] else ' *'}"
              for c in cost["charges"]]
    unconfirmed = any(not c["confirmed"] for c in cost["charges"])
    lines += [f"  {'total':<72} {'':>22}  ${cost['usd']:.4f}"
              + ("   (* a price not confirmed: check AWS's page)" if unconfirmed else ""),
              f"  Free at this volume: {cost['free']}.", ""]
    before = planned["before"]
    scoped = planned["actions"] - len(planned["actions_on_any_resource"])
    lines += [f"Least-privilege policy: {planned['actions']} actions, from what IAM decided for the learner's role "
              f"over {planned['trail']['events']} calls in CloudTrail's event history, and its data access",
              f"  before: {before['policy_before']}: {before['actions_before']:,} actions; "
              f"<service>:* for its {len(before['services'])} services would be {before['service_wide_actions']:,}",
              f"  {scoped} actions scoped to the course's names (lakelab-<learner>-*) or to the resource used;",
              f"  {len(planned['actions_on_any_resource'])} on Resource \"*\" (AWS checks them on * or the call names no "
              f"resource): {', '.join(planned['actions_on_any_resource'])}"]
    if before["not_in_the_service_authorization_reference"]:
        lines.append(f"  not in AWS's Service Authorization Reference: {before['not_in_the_service_authorization_reference']}")
    added = [s for s in planned["policy"]["Statement"] if s["Sid"] == "ServiceLinkedRoles"]
    if added:
        names = added[0]["Condition"]["StringEquals"]["iam:AWSServiceName"]
        lines.append(f"  added for a fresh account (no local run can show it): iam:CreateServiceLinkedRole for {names}")
    findings = planned["validation"]
    lines.append(f"  IAM Access Analyzer's ValidatePolicy: {'no findings' if not findings else ''}"
                 + "; ".join(f"{kind} {code}" for kind, code, _ in findings))
    if planned["not_named_by_iam"]:
        lines.append(f"  calls the emulator's IAM layer names no action for (not in the policy; AWS may need one): "
                     f"{planned['not_named_by_iam']}")
    lines += ["", _proof(planned["proof"])]
    return "\n".join(lines)


def _proof(proof: dict) -> str:
    passed = sum(ok for _, ok in proof["checks"])
    verdict = "PASS" if proof["passed"] else "FAIL"
    lines = [f"Proof ({verdict}): the solution run again, IAM enforced, as LakeLabs-<learner> holding only this "
             f"policy: {passed}/{len(proof['checks'])} checks passed, {len(proof['cell_errors'])} cell(s) failed."]
    lines += [f"  {error}" for error in proof["cell_errors"][:5]]
    lines.append(f"  A call outside the policy: {proof['outside_call']}")
    return "\n".join(lines)


def write_policy(planned: dict, path: str) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(planned["policy"], indent=2) + "\n", encoding="utf-8")
    return target
