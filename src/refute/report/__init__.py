"""Rendering results: text for people, JSON and ITF for tools. Results never print themselves."""
