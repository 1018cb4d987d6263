"""Pipeline assembly, options and the command-line interface."""
