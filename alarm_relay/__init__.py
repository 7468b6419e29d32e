"""The alarm relay: a Lambda function subscribed to the pipeline's alarm topic that posts every
CloudWatch alarm's state change (pipeline and domain health alarms) to the webhook channels of
`notificationChannels` (Slack, Microsoft Teams, Chime, generic webhooks, PagerDuty, Opsgenie),
which the OpenSearch monitors reach through the Notifications plugin and CloudWatch cannot.

alarm (parse the SNS message) → bodies (one request per channel) → post (HTTP) → handler."""
