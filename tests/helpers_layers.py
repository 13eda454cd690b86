"""The order of the consultations package's wings, lowest first: a wing may import the kernel
and the wings before it. tests/test_import_graph.py checks the code against it, and
tests/test_wings.py checks that tools/wings.py moves modules in the same order."""

WINGS = ("casework", "planning", "participation", "children", "outputs")
