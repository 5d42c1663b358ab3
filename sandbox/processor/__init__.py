"""The sandbox card/ACH processor: hosted fields, tokens and charges on an origin of its own."""
