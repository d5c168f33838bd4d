"""hubreturns: annual returns, school engagement trackers and validation reports for England's Music Hubs."""

__version__ = "0.1.0"
