"""The patient-facing HealthPay24 screens, one router per area."""
