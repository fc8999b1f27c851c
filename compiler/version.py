"""The version of confc, which every manifest records."""

__version__ = "0.1.0"
