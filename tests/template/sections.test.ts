import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../local/template';

// template.yaml reads in the order of the architecture: each part of Resources opens with a one-line header.
const SECTIONS = ['edge', 'stream', 'workflow', 'search', 'steps', 'lake', 'operations'];

function resourcesBySection(text: string): Map<string, string[]> {
  const lines = text.slice(text.indexOf('\nResources:\n'), text.indexOf('\nOutputs:\n')).split('\n');
  const sections = new Map<string, string[]>();
  let current = '(before any header)';
  for (const line of lines) {
    const header = /^ {2}# =+ ([a-z]+): \S/.exec(line);
    if (header?.[1] !== undefined) {
      current = header[1];
      sections.set(current, []);
    }
    const resource = /^ {2}([A-Za-z0-9]+):/.exec(line);
    if (resource?.[1] !== undefined) sections.set(current, [...(sections.get(current) ?? []), resource[1]]);
  }
  return sections;
}

describe('template.yaml sections', () => {
  const sections = resourcesBySection(readFileSync(join(projectRoot, 'template.yaml'), 'utf8'));

  it('follow the architecture, every resource under a header', () => {
    expect([...sections.keys()]).toEqual(SECTIONS);
    for (const section of SECTIONS) expect(sections.get(section)?.length).toBeGreaterThan(0);
  });

  it.each([
    ['edge', ['WebhookApi', 'AuthorizerFunction', 'IngestFunction', 'WebhookSecret']],
    ['stream', ['WebhookStream', 'PayloadBucket']],
    [
      'workflow',
      ['DispatcherFunction', 'DispatcherDeadLetterQueue', 'RouterStateMachine', 'IdempotencyTable'],
    ],
    ['search', ['IndexerFunction', 'SearchDomain']],
    ['steps', ['ComplianceFunction', 'DnsUpdaterFunction', 'WebhookEventBus']],
    ['lake', ['LakeBucket', 'LakeDeliveryStream', 'LakeEventsTable']],
    ['operations', ['RedeliveryFunction', 'OperationsAlarmTopic', 'PipelineDashboard']],
  ])('put %s where it belongs', (section, resources) => {
    expect(sections.get(section)).toEqual(expect.arrayContaining(resources));
  });
});
