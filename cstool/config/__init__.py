"""The desk config, ``cstool.yaml``: its values (schema), validation (parse) and loading (load)."""
