"""Reference data and hub configuration shipped with hubreturns (read with importlib.resources)."""
