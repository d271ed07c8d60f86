"""Small numeric helpers; a library with no entry point."""

from .stats import mean, variance

__all__ = ["mean", "variance"]
