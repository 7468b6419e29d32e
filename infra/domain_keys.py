"""The configuration keys of the stack's names, its OpenSearch domain and its indices (the
rest, and the whole table `KEYS`, are in `infra/config_keys.py`)."""

from __future__ import annotations

from typing import Final

from infra.config_choices import ZONE_COUNTS
from infra.config_declaration import (
    Choices,
    ConfigKey,
    Flag,
    Length,
    Range,
    Rule,
)

DOMAIN_KEYS: Final[tuple[ConfigKey, ...]] = (
    # --- names -----------------------------------------------------------------------------
    ConfigKey(
        "resourcePrefix",
        "string",
        "",
        "Prefix of the physical names (functions, stream, log groups); empty = "
        "`lambda-logs-<stack>`.",
        constraint=Rule(
            "resource_prefix",
            "lowercase letters, digits and hyphens, at most 40 characters",
            "lambda-logs-prod",
        ),
    ),
    # --- OpenSearch domain -----------------------------------------------------------------
    ConfigKey(
        "domainName",
        "string",
        "",
        "Name of the OpenSearch domain to create; empty = derived from resourcePrefix.",
        constraint=Rule(
            "domain_name",
            "3 to 28 lowercase letters, digits or hyphens, starting with a letter",
            "lambda-logs",
        ),
    ),
    ConfigKey(
        "engineVersion",
        "string",
        "OpenSearch_2.19",
        "OpenSearch engine version (2.7 or later: the `json` field is a flat_object).",
        constraint=Rule("engine_version", "OpenSearch_2.7 or later"),
    ),
    ConfigKey(
        "instanceType",
        "string",
        "m7g.large.search",
        "Instance type of the data nodes.",
        constraint=Rule("instance_type", "an OpenSearch instance type like m7g.large.search"),
    ),
    ConfigKey("instanceCount", "integer", 2, "Number of data nodes.", constraint=Range(1, 80)),
    ConfigKey(
        "volumeSizeGb",
        "integer",
        100,
        "EBS (gp3) volume size per data node, in GiB.",
        constraint=Range(10, 24576),
    ),
    ConfigKey(
        "zoneAwareness",
        "boolean",
        True,
        "Spread the data nodes over availability zones (needs an even instanceCount for 2 "
        "zones, a multiple of 3 for 3).",
        constraint=Flag(),
    ),
    ConfigKey(
        "availabilityZoneCount",
        "integer",
        2,
        "Number of availability zones when zoneAwareness is on.",
        constraint=Choices(ZONE_COUNTS),
    ),
    ConfigKey(
        "allowedCidrs",
        "string",
        "",
        "Comma-separated IPv4/IPv6 CIDRs allowed to reach the domain without AWS signatures: the "
        "machine running `pulumi up` (it applies the content as the master user) and your "
        "browser (Dashboards). Required when the stack creates a public domain; refused with "
        "vpcSubnetIds (a VPC domain takes no IP-based policy).",
        constraint=Rule(
            "cidrs",
            "comma-separated IPv4/IPv6 CIDRs, none of them /0 (none wider than an IPv4 /8 or "
            "an IPv6 /32 unless allowWideCidrs)",
            "203.0.113.0/24",
        ),
    ),
    ConfigKey(
        "allowWideCidrs",
        "boolean",
        False,
        "Accept allowedCidrs wider than an IPv4 /8 or an IPv6 /32 (each network, and all of "
        "them together); off, such a list is refused as a likely mistake.",
        constraint=Flag(),
    ),
    ConfigKey(
        "masterUserName",
        "string",
        "admin",
        "Dashboards master user (internal user).",
        constraint=Length(1, 64),
    ),
    ConfigKey(
        "masterUserPassword",
        "string",
        "",
        "Dashboards master user password, set with --secret. Required unless existingDomainArn "
        "is set.",
        constraint=Rule(
            "password",
            "8+ characters with upper case, lower case, a digit and a special character",
            "<value>",
        ),
        secret=True,
    ),
    ConfigKey(
        "existingDomainArn",
        "string",
        "",
        "Bring your own domain: its ARN. With existingDomainEndpoint, no domain is created.",
        constraint=Rule(
            "domain_arn",
            "an OpenSearch domain ARN in the stack's region",
            "arn:aws:es:eu-west-1:123456789012:domain/my-domain",
        ),
    ),
    ConfigKey(
        "existingDomainEndpoint",
        "string",
        "",
        "Bring your own domain: its endpoint host name (no https://).",
        constraint=Rule(
            "endpoint",
            "the domain's endpoint host name without scheme",
            "search-my-domain-abc123.eu-west-1.es.amazonaws.com",
        ),
    ),
    # --- private network (VPC) -------------------------------------------------------------
    ConfigKey(
        "vpcSubnetIds",
        "string",
        "",
        "Private deployment: comma-separated private subnet ids, with vpcSecurityGroupIds. A "
        "new domain gets one subnet per availability zone it uses (1 with zoneAwareness off, "
        "else availabilityZoneCount, each in another zone), no public endpoint and no "
        "allowedCidrs; Firehose delivers through these subnets (docs/security.md). Empty = a "
        "public endpoint.",
        constraint=Rule(
            "subnet_ids",
            "comma-separated subnet ids (subnet-…), each once, at most 16",
            "subnet-0123456789abcdef0,subnet-0fedcba9876543210",
        ),
    ),
    ConfigKey(
        "vpcSecurityGroupIds",
        "string",
        "",
        "Private deployment: comma-separated security group ids of the domain and of "
        "Firehose's network interfaces, with vpcSubnetIds; one of them must admit HTTPS (TCP "
        "443) from itself (docs/security.md).",
        constraint=Rule(
            "security_group_ids",
            "comma-separated security group ids (sg-…), each once, 1 to 5",
            "sg-0123456789abcdef0",
        ),
    ),
    # --- indices ---------------------------------------------------------------------------
    ConfigKey(
        "indexPrefix",
        "string",
        "lambda-logs",
        "Index name prefix: <prefix>-YYYY-MM-DD.",
        constraint=Rule("index_prefix", "lowercase letters, digits, '-' or '_' (at most 80)"),
    ),
    ConfigKey(
        "retentionDays",
        "integer",
        30,
        "Days an index is kept in OpenSearch (ISM deletes it).",
        constraint=Range(1, 36500),
    ),
    ConfigKey(
        "indexShards", "integer", 1, "Primary shards per daily index.", constraint=Range(1, 100)
    ),
    ConfigKey(
        "indexReplicas",
        "integer",
        1,
        "Replicas per shard (must be below instanceCount).",
        constraint=Range(0, 5),
    ),
)
