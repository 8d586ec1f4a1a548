"""Libraries no service owns: pure code that several services, training (tools/models) and the tests share.

A service may import a library; a library imports no service (tests/test_layers.py checks both).
"""
