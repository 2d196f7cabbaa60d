"""micrograd: a small scalar autograd engine and neural-net library, built to be read."""

from micrograd.engine import Value

__all__ = ["Value"]
__version__ = "0.1.0"
