"""Casework: what planners do with the inputs — review and moderation, merknadspunkter,
letters staff register, retention, and the analyses they read (summaries, themes, the
school classes' results)."""
