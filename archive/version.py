"""The warta version, in one place: packaging, manifests and archives read it from here."""

__version__ = "0.1.0"
