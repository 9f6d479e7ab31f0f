"""What the engine's parent (runner) and child agree on: the child's module and the files of its run folder."""

# Run as: python -m CHILD_MODULE <run dir> <engine pid> <lifeline fd> <lock fd>, the request as JSON on stdin.
CHILD_MODULE = "devkit.engine.child"
RESULT_FILE = "result.json"
LOG_FILE = "log.jsonl"
HEALTH_FILE = "health.jsonl"
# Strings given to add_sensitive_log_strs, streamed so that output of a run that crashed can be redacted too.
SECRETS_FILE = "secrets.jsonl"
# The pid of the engine that made a run dir (devkit.engine.lifetime).
OWNER_FILE = "owner.pid"
# An integration's structured run report is an info log line "<name> run report: {json}" (Docusign.RunReport).
REPORT_MARK = " run report: "
