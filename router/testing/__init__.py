"""Offline test doubles for the router (loopback only): a stub of OCI Generative AI inference."""
