"""Code and contracts shared by the two Lambda packages, bundled into each zip by `infra/`.

Standard library and boto3/botocore only. `transformer/` and `subscriptions/` import it (it
travels in their zips); `infra/` and the CLI import it for the contracts they must agree on
(limits, metric names, environment bounds). It imports nothing from the rest of the repository.
"""
