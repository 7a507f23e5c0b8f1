"""Shared test support that is not a fixture: the headless browser driver and a threaded live server.

Tests of any package may import from here; nothing here imports a test module.
"""
