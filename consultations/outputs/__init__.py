"""Outputs: what leaves the app — the merknadsbehandling, the medvirkningsrapport,
exports and downloads, the archive package, the varslingslister, «hørte → gjør», open data
(OGC API, feeds)."""
