"""Regulatory Connectivity Registry: versioned e-commerce rules, comparisons, compliance and meetings."""

__version__ = "0.1.0"
