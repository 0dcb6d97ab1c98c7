"""Helpers shared by several test tiers (import them; never import a test module)."""
