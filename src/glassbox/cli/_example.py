"""Placeholder until the SDK core lands."""
