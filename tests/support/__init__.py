"""Helpers the test suites share: servers and fixtures that stand in for outside systems."""
