"""Local infrastructure for the embedded run: a Redis server and an SMTP sink of our own."""
