-- Per job, its newest run that ended, and when it last succeeded (GET
-- /api/v1/jobs, the metrics: when its last success ended). One row per job
-- that has ever ended a run.
SELECT r.id, r.job, r.status, r.trigger_kind, r.started_by, r.instance, r.host, r.pid, r.started_at, r.finished_at,
       r.scheduled_for, r.rows_written, r.rows_done, r.rows_expected, r.today, r.argument, r.tcs_schema,
       r.cancel_requested_by, r.error,
       (SELECT MAX(s.finished_at) FROM tis_sync_run s WHERE s.job = r.job AND s.status = 'succeeded')
FROM tis_sync_run r
WHERE r.id IN (SELECT MAX(e.id) FROM tis_sync_run e
               WHERE e.status IN ('succeeded', 'failed', 'cancelled', 'aborted', 'abandoned', 'crashed')
               GROUP BY e.job)
ORDER BY r.job
