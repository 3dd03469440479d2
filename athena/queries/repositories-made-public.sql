-- Repositories made public in the last 30 days: GitHub sends both a `public` event and a `repository`
-- event with action `publicized`; one row per repository with the latest time and who did it.
SELECT
  subject AS repository,
  max(from_iso8601_timestamp(receivedat)) AS made_public_at,
  max_by(json_extract_scalar(payload, '$.sender.login'), receivedat) AS made_public_by
FROM events
WHERE source = 'github'
  AND dt >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d')
  AND (type = 'public' OR (type = 'repository' AND action = 'publicized'))
GROUP BY subject
ORDER BY made_public_at DESC
