from prpgen.cli import app

app(prog_name="prpgen")
