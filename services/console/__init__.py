"""The operations console: a web page for the bank's operations and risk staff, behind the edge.

It follows the stream processor's compacted aggregate topics (`fintech.analytics.*`) as a materialized view, reads
the SLOs from Prometheus, and pushes both to the browser with server-sent events. Staff sign in at the issuer; each
role sees only the panels its duties allow (domain/panels.py).
"""
