"""Kartinnspill: map-based public consultation for Norwegian municipalities."""
