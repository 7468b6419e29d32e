"""GIVEN any stack WHEN the program runs under mocks THEN the role OpenSearch alerting assumes to
publish to the alarm topic trusts OpenSearch Service only on behalf of this account and this
stack's domain (no confused deputy), and may do nothing but publish to the topic."""

from __future__ import annotations

from infra.aws_context import AwsContext
from infra.policies import alerting_trust
from tests.infra.conftest import BYO_ARN
from tests.infra.harness import ACCOUNT, REGION, ProgramRun
from tests.infra.policy_checks import allowed_actions, resources_for, statements

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
NAME = "lambda-logs-alarms-opensearch"


def _trust(run: ProgramRun) -> dict[str, object]:
    (statement,) = statements(run.one(ROLE, NAME).json("assumeRolePolicy"))
    return statement


def test_only_opensearch_service_for_this_account_and_domain(default_run: ProgramRun) -> None:
    statement = _trust(default_run)
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == {
        "Service": ["es.amazonaws.com", "opensearchservice.amazonaws.com"]
    }
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:es:{REGION}:{ACCOUNT}:domain/lambda-logs-test"},
    }


def test_an_existing_domain_is_the_only_source(byo_policy_run: ProgramRun) -> None:
    condition = _trust(byo_policy_run)["Condition"]
    assert condition == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": BYO_ARN},
    }


def test_the_role_may_only_publish_to_the_alarm_topic(default_run: ProgramRun) -> None:
    policy = default_run.one(ROLE_POLICY, NAME).json("policy")
    assert allowed_actions(policy) == {"sns:Publish"}
    assert resources_for(policy, "sns:Publish") == {
        f"arn:aws:sns:{REGION}:{ACCOUNT}:lambda-logs-alarms"
    }


def test_source_account_and_source_arn_name_the_same_account() -> None:
    ctx = AwsContext(partition="aws", region=REGION, account_id=ACCOUNT)
    other = f"arn:aws:es:{REGION}:210987654321:domain/shared-logs"
    (statement,) = statements(alerting_trust(ctx, other))
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "210987654321"}
    assert statement["Condition"]["ArnLike"] == {"aws:SourceArn": other}
