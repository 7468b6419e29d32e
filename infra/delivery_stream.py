"""The Firehose delivery stream: transformer → OpenSearch (daily indices) + S3 (every document)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from infra.config_sections import StreamConfig
from infra.vpc_config import VpcConfig

HOUR_PATH: Final = "!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/"
DOCUMENTS_PREFIX: Final = f"documents/{HOUR_PATH}"
ERROR_PREFIX: Final = f"!{{firehose:error-output-type}}/{HOUR_PATH}"
"""Failed records land under `processing-failed/…`, `AmazonOpenSearchService-failed/…`."""
DESTINATION_LOG_STREAM: Final = "DestinationDelivery"
BACKUP_LOG_STREAM: Final = "BackupDelivery"
PROCESSOR_DEFAULT_BUFFER_SIZE_MB: Final = 1.0
PROCESSOR_DEFAULT_BUFFER_INTERVAL_SECONDS: Final = 60


@dataclass(frozen=True)
class DeliveryStreamArgs:
    stream_name: str
    role_arn: pulumi.Input[str]
    domain_arn: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    transformer_arn: pulumi.Input[str]
    index_prefix: str
    buffering: StreamConfig
    log_group_name: str
    log_retention_days: int
    wait_for: tuple[pulumi.Resource, ...] = ()
    """Created before the stream (the role policy, the index template and role mapping)."""
    vpc: VpcConfig | None = None
    """Deliver through this VPC (a domain with a VPC endpoint, created or existing)."""


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def processor_parameters(
    transformer_arn: pulumi.Input[str], buffer_size_mb: float, buffer_interval_seconds: int
) -> list[tuple[str, pulumi.Input[str]]]:
    """`LambdaArn` (qualified with `$LATEST`, as Firehose stores it) plus only the parameters
    that differ from Firehose's defaults (defaults are not stored by the provider and would show
    as a change on every `pulumi up`)."""
    qualified = pulumi.Output.from_input(transformer_arn).apply(lambda arn: f"{arn}:$LATEST")
    parameters: list[tuple[str, pulumi.Input[str]]] = [("LambdaArn", qualified)]
    if buffer_size_mb != PROCESSOR_DEFAULT_BUFFER_SIZE_MB:
        parameters.append(("BufferSizeInMBs", _number(buffer_size_mb)))
    if buffer_interval_seconds != PROCESSOR_DEFAULT_BUFFER_INTERVAL_SECONDS:
        parameters.append(("BufferIntervalInSeconds", str(buffer_interval_seconds)))
    return parameters


def _processing(
    parameters: Sequence[tuple[str, pulumi.Input[str]]],
) -> aws.kinesis.FirehoseDeliveryStreamOpensearchConfigurationProcessingConfigurationArgs:
    return aws.kinesis.FirehoseDeliveryStreamOpensearchConfigurationProcessingConfigurationArgs(
        enabled=True,
        processors=[
            aws.kinesis.FirehoseDeliveryStreamOpensearchConfigurationProcessingConfigurationProcessorArgs(
                type="Lambda",
                parameters=[
                    aws.kinesis.FirehoseDeliveryStreamOpensearchConfigurationProcessingConfigurationProcessorParameterArgs(
                        parameter_name=name, parameter_value=value
                    )
                    for name, value in parameters
                ],
            )
        ],
    )


def _opensearch(
    args: DeliveryStreamArgs, log_group_name: pulumi.Input[str]
) -> aws.kinesis.FirehoseDeliveryStreamOpensearchConfigurationArgs:
    """OpenSearch destination (daily indices) with every document backed up to S3."""
    parameters = processor_parameters(
        args.transformer_arn,
        args.buffering.processor_buffer_size_mb,
        args.buffering.processor_buffer_interval_seconds,
    )
    return aws.kinesis.FirehoseDeliveryStreamOpensearchConfigurationArgs(
        domain_arn=args.domain_arn,
        role_arn=args.role_arn,
        index_name=args.index_prefix,
        index_rotation_period="OneDay",
        buffering_size=args.buffering.buffer_size_mb,
        buffering_interval=args.buffering.buffer_interval_seconds,
        retry_duration=args.buffering.retry_duration_seconds,
        s3_backup_mode="AllDocuments",
        document_id_options=aws.kinesis.FirehoseDeliveryStreamOpensearchConfigurationDocumentIdOptionsArgs(
            default_document_id_format="FIREHOSE_DEFAULT"
        ),
        processing_configuration=_processing(parameters),
        vpc_config=_vpc_config(args.vpc, args.role_arn),
        cloudwatch_logging_options=aws.kinesis.FirehoseDeliveryStreamOpensearchConfigurationCloudwatchLoggingOptionsArgs(
            enabled=True,
            log_group_name=log_group_name,
            log_stream_name=DESTINATION_LOG_STREAM,
        ),
        s3_configuration=aws.kinesis.FirehoseDeliveryStreamOpensearchConfigurationS3ConfigurationArgs(
            bucket_arn=args.bucket_arn,
            role_arn=args.role_arn,
            prefix=DOCUMENTS_PREFIX,
            error_output_prefix=ERROR_PREFIX,
            compression_format="GZIP",
            buffering_size=5,
            buffering_interval=300,
            cloudwatch_logging_options=aws.kinesis.FirehoseDeliveryStreamOpensearchConfigurationS3ConfigurationCloudwatchLoggingOptionsArgs(
                enabled=True,
                log_group_name=log_group_name,
                log_stream_name=BACKUP_LOG_STREAM,
            ),
        ),
    )


def _vpc_config(
    vpc: VpcConfig | None, role_arn: pulumi.Input[str]
) -> aws.kinesis.FirehoseDeliveryStreamOpensearchConfigurationVpcConfigArgs | None:
    """Firehose's network interfaces in the subnets, with the security groups (one must admit
    HTTPS from itself: Firehose API reference, VpcConfiguration.SecurityGroupIds: "If you use
    the same security group for both your delivery stream and the Amazon OpenSearch Service
    domain, make sure the security group inbound rule allows HTTPS traffic"), managed by the
    delivery role (its ENI statements: infra/vpc_policies.py)."""
    if vpc is None:
        return None
    return aws.kinesis.FirehoseDeliveryStreamOpensearchConfigurationVpcConfigArgs(
        subnet_ids=list(vpc.subnet_ids),
        security_group_ids=list(vpc.security_group_ids),
        role_arn=role_arn,
    )


class DeliveryStream(pulumi.ComponentResource):
    stream: aws.kinesis.FirehoseDeliveryStream
    log_group: aws.cloudwatch.LogGroup

    def __init__(
        self, name: str, args: DeliveryStreamArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("lambdalogs:delivery:Stream", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-errors",
            name=args.log_group_name,
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        self.log_streams = [
            aws.cloudwatch.LogStream(
                f"{name}-{stream.lower()}",
                name=stream,
                log_group_name=self.log_group.name,
                opts=child,
            )
            for stream in (DESTINATION_LOG_STREAM, BACKUP_LOG_STREAM)
        ]
        self.stream = aws.kinesis.FirehoseDeliveryStream(
            name,
            name=args.stream_name,
            destination="opensearch",
            server_side_encryption=aws.kinesis.FirehoseDeliveryStreamServerSideEncryptionArgs(
                enabled=True, key_type="AWS_OWNED_CMK"
            ),
            opensearch_configuration=_opensearch(args, self.log_group.name),
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[*self.log_streams, *args.wait_for]
            ),
        )
        self.register_outputs({"name": self.stream.name, "arn": self.stream.arn})
