"""Page objects of the HealthPay24 patient portal, one per screen (and one for the processor's
hosted-fields iframe inside the checkout).

They know where things are (by role, label and text) and nothing about what the workflow
wants; the adapter turns what they read into BillBridge models and typed errors.
"""
