"""The patient-facing portal screens, one router per area."""
