"""`python -m reportgen` runs the command line."""

from reportgen.cli import app

app(prog_name="reportgen")
