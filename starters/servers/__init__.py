"""The HTTP servers BillBridge runs beside its workers: the codec server and receipt links."""
