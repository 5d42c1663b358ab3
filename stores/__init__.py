"""Stores and infrastructure below the activities.

Secrets, artifacts, sealed session states, connections, the keyring and sealing; no Temporal
or browser code.
"""
