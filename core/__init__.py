"""The run's logic in plain Python, knowing nothing of Prefect: the flows and the command line both call it."""
