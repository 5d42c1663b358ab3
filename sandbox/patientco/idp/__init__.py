"""The sandbox's OpenID Connect identity provider ("Patientco ID"), on an origin of its own."""
