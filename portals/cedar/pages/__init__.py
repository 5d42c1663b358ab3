"""Page objects of the Cedar patient portal, one per screen.

They know where things are (by role, label and text) and nothing about what the workflow
wants; the adapter turns what they read into BillBridge models and typed errors.
"""
