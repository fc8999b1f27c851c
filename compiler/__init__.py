"""confc: compile TOML conference profiles into SignalWire SWML documents."""

__version__ = "0.1.0"
