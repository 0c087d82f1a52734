"""The QIS command line, settings and the embedded services that the run command starts."""
