"""Doorstep: an offline-first case desk for field debt-collection visits."""

__version__ = "0.1.0"
