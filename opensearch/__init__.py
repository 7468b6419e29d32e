"""OpenSearch content: index template, ISM policy, security role, saved objects, monitors."""
