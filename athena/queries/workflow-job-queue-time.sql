-- Workflow job queue time: seconds each GitHub Actions job waited from queued (created_at) to in
-- progress (started_at), for jobs started in the last 7 days, longest wait first.
WITH started AS (
  SELECT DISTINCT
    subject AS repository,
    json_extract_scalar(payload, '$.workflow_job.workflow_name') AS workflow,
    json_extract_scalar(payload, '$.workflow_job.name') AS job,
    CAST(json_extract_scalar(payload, '$.workflow_job.run_id') AS bigint) AS run_id,
    CAST(json_extract_scalar(payload, '$.workflow_job.id') AS bigint) AS job_id,
    json_extract_scalar(payload, '$.workflow_job.runner_name') AS runner,
    from_iso8601_timestamp(json_extract_scalar(payload, '$.workflow_job.created_at')) AS queued_at,
    from_iso8601_timestamp(json_extract_scalar(payload, '$.workflow_job.started_at')) AS started_at
  FROM events
  WHERE source = 'github'
    AND dt >= date_format(current_date - INTERVAL '7' DAY, '%Y-%m-%d')
    AND type = 'workflow_job'
    AND action = 'in_progress'
)
SELECT
  repository,
  workflow,
  job,
  run_id,
  job_id,
  runner,
  queued_at,
  started_at,
  date_diff('second', queued_at, started_at) AS queue_seconds
FROM started
WHERE queued_at IS NOT NULL
  AND started_at IS NOT NULL
ORDER BY queue_seconds DESC
