"""A deterministic synthetic hub area (SPEC 6): DfE register and census files and every hub export.

`generate_hub_area(out_dir, seed=..., year=...)` writes the files and returns the path of the hub.toml
that configures them. The same seed and year always give byte-identical files.
"""

from hubreturns.synthetic.generator import generate_hub_area

__all__ = ["generate_hub_area"]
