"""Guidance visits in the staff admin."""
