-- Per job, how long its runs that ran took (the metrics' histogram,
-- tis_sync_job_duration_seconds): runs and total seconds, and cumulative
-- counts at the bucket bounds of history_query.h. A run that never
-- started (cancelled while queued, refused) has no progress written;
-- runs recorded before progress was kept have no started_by either.
SELECT job, COUNT(*), SUM(d), SUM(d <= 0.1), SUM(d <= 0.5), SUM(d <= 1), SUM(d <= 2.5), SUM(d <= 5), SUM(d <= 10),
       SUM(d <= 30), SUM(d <= 60), SUM(d <= 120), SUM(d <= 300), SUM(d <= 600), SUM(d <= 1800), SUM(d <= 3600)
FROM (SELECT job, TIMESTAMPDIFF(MICROSECOND, started_at, finished_at) / 1000000.0 AS d
      FROM tis_sync_run
      WHERE status IN ('succeeded', 'failed', 'cancelled', 'aborted') AND finished_at IS NOT NULL
        AND (rows_done IS NOT NULL OR started_by IS NULL)) runs
GROUP BY job
ORDER BY job
