"""The operator console: server-rendered pages over the four services' APIs, for the ministry's team and the regions."""
