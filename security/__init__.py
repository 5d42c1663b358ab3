"""Keeping PHI, card data and secrets out of the clear: payload codec, redaction, audit trail."""
