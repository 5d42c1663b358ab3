"""The staff console's screens, one router per area."""
