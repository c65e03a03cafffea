"""Task bookkeeping rows (a task assigned, closed, cancelled, handed over) were logged as
«назначение»/«решение» and showed on every card beside the real decision. They become «задание»
rows, which cards show only under «Все события». The history is append-only; this one-time
reclassification lifts the guard trigger for its own UPDATE and restores it in the same
transaction. Decisions themselves are untouched."""

from django.db import migrations

FORWARD = """
ALTER TABLE workflow_historyentry DISABLE TRIGGER workflow_history_append_only;
UPDATE workflow_historyentry SET action = 'task'
 WHERE action IN ('assignment', 'decision') AND data ? 'task';
ALTER TABLE workflow_historyentry ENABLE TRIGGER workflow_history_append_only;
"""

BACKWARD = """
ALTER TABLE workflow_historyentry DISABLE TRIGGER workflow_history_append_only;
UPDATE workflow_historyentry SET action = 'assignment'
 WHERE action = 'task' AND description LIKE '%%назначено%%';
UPDATE workflow_historyentry SET action = 'decision' WHERE action = 'task';
ALTER TABLE workflow_historyentry ENABLE TRIGGER workflow_history_append_only;
"""


class Migration(migrations.Migration):
    dependencies = [("workflow", "0005_routes")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
