"""Streamlit-only helpers: the one place below pages/ that imports streamlit."""
