import { renderBar } from '../../local/replay/progress';
import { formatSummary } from '../../local/replay/replay';
import { parseReplayArgs, UsageError } from '../../scripts/lib/replay/options';

describe('npm run replay arguments', () => {
  it('reads the window, the lists of sources and types, and the stream', () => {
    const options = parseReplayArgs(
      [
        '--from',
        's3://lake/events/',
        '--since',
        '2026-11-01T00:00:00Z',
        '--until',
        '2026-11-02',
        '--source',
        'github, gitlab',
        '--type',
        'push',
        '--stream',
        'prod-stream',
        '--dry-run',
      ],
      {},
    );

    expect(options).toEqual({
      from: 's3://lake/events/',
      since: new Date('2026-11-01T00:00:00Z'),
      until: new Date('2026-11-02T00:00:00Z'),
      sources: ['github', 'gitlab'],
      types: ['push'],
      stream: 'prod-stream',
      dryRun: true,
      local: false,
      help: false,
    });
  });

  it('puts onto STREAM_NAME, else the local stream, and filters nothing by default', () => {
    expect(parseReplayArgs(['--from', 'lake'], { STREAM_NAME: 'deployed' })).toMatchObject({
      stream: 'deployed',
    });
    const options = parseReplayArgs(['--from', 'lake'], {});
    expect(options.stream).toBe('webhook-stream');
    expect(options.dryRun).toBe(false);
    expect(['since', 'until', 'sources', 'types'].filter((name) => name in options)).toEqual([]);
  });

  it.each([
    [[], '--from is required'],
    [['--from', 'x', '--since', 'last week'], '--since must be an ISO-8601 time'],
    [['--from', 'x', '--since', '2026-11-02', '--until', '2026-11-01'], '--since must be before --until'],
    [['--from', 'x', '--bogus'], 'bogus'],
  ])('refuses %j', (args, message) => {
    expect(() => parseReplayArgs(args, {})).toThrow(UsageError);
    expect(() => parseReplayArgs(args, {})).toThrow(message);
  });
});

describe('progress and summary', () => {
  it('draws the share of records done', () => {
    expect(renderBar({ label: '2026-11-01 (1/2)', completed: 3, total: 4, put: 3, failed: 0 })).toBe(
      `2026-11-01 (1/2) [${'#'.repeat(18)}${'-'.repeat(6)}] 75% 3/4 | put 3 | failed 0`,
    );
  });

  it('sums up read, matched, put and failed, and why records failed', () => {
    const text = formatSummary(
      {
        objects: 2,
        read: 10,
        invalid: 1,
        matched: 8,
        duplicates: 2,
        put: 7,
        failed: 1,
        errors: { RecordTooLarge: 1 },
      },
      false,
    );

    expect(text.split('\n')).toEqual([
      'objects 2, read 10, matched 8, put 7, failed 1',
      '2 duplicate archived copies replayed once',
      '1 archived values were not envelopes and were skipped',
      'failed with RecordTooLarge: 1',
    ]);
  });
});
