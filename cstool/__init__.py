"""cstool: a customer-service centre's tickets as YAML files in a git repository."""

__version__ = "0.1.0"
