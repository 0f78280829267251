"""var_export_ref.py: the Python reference for `variables export` (tests/cli_var.sh).

Reads variables as JSON lines on stdin (key, val, description: what
`tests/airflow_db.py dump-variables` prints, val already decrypted) and
writes to stdout what `airflow variables export` writes for them, with the
real json module, by the rules of Airflow's export function
(variables_export in airflow/cli/commands/variable_command.py for 2.10,
lines 119-135 at apache/airflow commit c873bd5;
airflow-core/src/airflow/cli/commands/variable_command.py for 3.x, lines
132-154 at commit e0b55c2; see
doc/airflow-compat.md section 5, "Variables"):

  2   each value goes through json.JSONDecoder().decode(); what does not
      decode stays the stored text; the dict is written by
      json.dump(d, f, sort_keys=True, indent=4) (no newline at the end)
  3   the same, except that a value that decodes to a str is written as
      the stored text, and a variable with a description, or whose value
      decodes to a dict holding "value", is written as
      {"value": ..., "description": ...}

Usage: var_export_ref.py 2|3
Nothing of Airflow is imported.
"""

import json
import sys


def exported(var, major):
    text = var.get("val")
    try:
        val = json.JSONDecoder().decode(text)
    except Exception:  # what Airflow catches: any failure, None included
        val = text
    else:
        if major >= 3 and isinstance(val, str):
            val = text
    if major >= 3 and (var.get("description") or
                       (isinstance(val, dict) and "value" in val)):
        return {"value": val, "description": var.get("description")}
    return val


def main():
    major = int(sys.argv[1])
    out = {}
    for line in sys.stdin.buffer.read().decode("utf-8").split("\n"):
        if line.strip():
            var = json.loads(line)
            out[var["key"]] = exported(var, major)
    sys.stdout.write(json.dumps(out, sort_keys=True, indent=4))


main()
