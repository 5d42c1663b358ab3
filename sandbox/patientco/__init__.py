"""The Patientco sandbox: a staff-facing billing console behind its own OpenID Connect IdP."""
