"""Outputs: statistics, summary, history, fields and the atomic results folder."""
