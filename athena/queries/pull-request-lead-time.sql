-- Pull request lead time: hours from opened (created_at) to merged (merged_at) for every GitHub pull
-- request merged in the last 90 days, newest first. DISTINCT because the lake is at-least-once (Firehose
-- retries and replays can archive an event twice).
WITH merged AS (
  SELECT DISTINCT
    subject AS repository,
    CAST(json_extract_scalar(payload, '$.pull_request.number') AS bigint) AS pull_request,
    json_extract_scalar(payload, '$.pull_request.title') AS title,
    from_iso8601_timestamp(json_extract_scalar(payload, '$.pull_request.created_at')) AS opened_at,
    from_iso8601_timestamp(json_extract_scalar(payload, '$.pull_request.merged_at')) AS merged_at
  FROM events
  WHERE source = 'github'
    AND dt >= date_format(current_date - INTERVAL '90' DAY, '%Y-%m-%d')
    AND type = 'pull_request'
    AND action = 'closed'
    AND json_extract_scalar(payload, '$.pull_request.merged') = 'true'
)
SELECT
  repository,
  pull_request,
  title,
  opened_at,
  merged_at,
  round(date_diff('second', opened_at, merged_at) / 3600.0, 2) AS lead_time_hours
FROM merged
ORDER BY merged_at DESC
