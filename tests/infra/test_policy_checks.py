"""The least-privilege check itself can fail (so the stack tests that use it mean something)."""

from __future__ import annotations

import pytest

from infra.aws_context import AwsContext
from infra.policies import allow, document, domain_access_policy, subscriber_permissions
from tests.infra.policy_checks import assert_least_privilege

CTX = AwsContext(partition="aws-cn", region="cn-north-1", account_id="123456789012")


def test_wildcard_action_is_rejected() -> None:
    with pytest.raises(AssertionError):
        assert_least_privilege(document(allow("Any", ["s3:*"], ["arn:aws:s3:::b/*"])))


def test_wildcard_resource_is_rejected_for_scopable_actions() -> None:
    with pytest.raises(AssertionError):
        assert_least_privilege(document(allow("Any", ["s3:GetObject"], ["*"])))


def test_list_functions_may_use_a_wildcard_resource() -> None:
    assert_least_privilege(document(allow("List", ["lambda:ListFunctions"], ["*"])))


def test_partition_is_used_in_every_arn() -> None:
    policy = subscriber_permissions(
        CTX,
        stream_arns=[CTX.stream_arn("s")],
        logs_role_arn="arn:aws-cn:iam::123456789012:role/r",
        function_name="f",
        log_group_name="/aws/lambda/f",
        state_bucket_arn="arn:aws-cn:s3:::b",
    )
    text = str(policy)
    assert "arn:aws:" not in text
    assert "arn:aws-cn:lambda:cn-north-1:123456789012:function:f" in text
    denied = [s["Resource"] for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert denied == [["arn:aws-cn:logs:cn-north-1:123456789012:log-group:/lambda-logs-pipeline/*"]]


def test_domain_policy_without_cidrs_has_no_anonymous_principal() -> None:
    policy = domain_access_policy(CTX, CTX.domain_arn("d"), ())
    assert all(s["Principal"] != {"AWS": "*"} for s in policy["Statement"])


def test_context_from_caller_arn() -> None:
    ctx = AwsContext.from_caller_arn("arn:aws-us-gov:iam::1:user/x", "1", "us-gov-west-1")
    assert ctx.partition == "aws-us-gov"
    assert ctx.log_group_arn("/g") == "arn:aws-us-gov:logs:us-gov-west-1:1:log-group:/g:*"
