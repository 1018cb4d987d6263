"""The pipeline's stages: each module is a pure-Python core plus a thin Beam wrapper."""
