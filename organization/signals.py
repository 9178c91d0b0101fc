from django.dispatch import Signal

# Sent with ``year`` after the county bureau changes a year's thresholds, so
# that derived flags in the registry (below the income line) follow.
policy_changed = Signal()
