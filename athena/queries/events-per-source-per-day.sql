-- Events per source per day over the last 30 days. Counts distinct event ids: an event archived twice
-- (Firehose retry, replay) counts once.
SELECT
  source,
  dt AS event_date,
  count(DISTINCT id) AS events
FROM events
WHERE dt >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d')
GROUP BY source, dt
ORDER BY event_date DESC, source
