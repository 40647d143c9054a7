"""Shared, neutral terms and input handling used by settings, components, policies and the CLI alike."""
