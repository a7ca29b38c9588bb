"""Reproducible Bangladesh-Russia bilateral trade pipeline (IMF DOTS / IMTS)."""

__version__ = "0.1.0"
