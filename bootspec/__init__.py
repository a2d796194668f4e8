"""bootspec: a formal model checker of early-boot memory layouts."""

__version__ = "0.1.0"
