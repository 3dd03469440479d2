import { PublicRepositoryAllowList } from '../../functions/lib/compliance/allow-list';
import { Catalogue } from '../../functions/lib/compliance/catalogue';
import { evaluate } from '../../functions/lib/compliance/evaluate';
import { DEFAULT_RULES } from '../../functions/lib/compliance/rules';
import { parseEnvelope } from '../../functions/lib/envelope';
import { LocalWorkflow } from '../../local/run-workflow';
import { RULE_CASES } from '../unit/compliance/support/cases';

// The real statemachines/router.asl.json decides which events reach the compliance step. Every rule's
// matching event must get there, or the rule can never fire in a deployed stack.
const catalogue = new Catalogue(DEFAULT_RULES);
const received: string[] = [];

const workflow = new LocalWorkflow(
  {
    functions: {
      IndexerFunction: async () => ({ indexed: true }),
      DnsUpdaterFunction: async () => ({ skipped: true }),
      // The compliance step runs the real catalogue; only the delivery of findings is left out.
      ComplianceFunction: async (event) => {
        const envelope = parseEnvelope(event);
        received.push(envelope.id);
        const { findings } = evaluate(
          catalogue,
          envelope,
          envelope.payload,
          new PublicRepositoryAllowList([]),
        );
        return { findings: findings.map((finding) => ({ id: finding.findingId, ruleId: finding.rule.id })) };
      },
    },
    putEvents: async ({ Entries }) => ({
      Entries: Entries.map((_, index) => ({ EventId: `event-${index}` })),
      FailedEntryCount: 0,
    }),
  },
  { retryDelayMs: 0 },
);

describe('routing of compliance-relevant events by the real workflow', () => {
  it.each(RULE_CASES.map((ruleCase) => [ruleCase.ruleId, ruleCase.match] as const))(
    '%s: its event reaches the compliance step and raises the finding',
    async (ruleId, envelope) => {
      const execution = await workflow.start(envelope);

      expect(execution.status).toBe('SUCCEEDED');
      expect(received).toContain(envelope.id);
      expect(execution.output).toContain(`"ruleId":"${ruleId}"`);
    },
  );

  it('covers every (source, type) the catalogue looks at', () => {
    const routed = new Set(RULE_CASES.map(({ match }) => `${match.source} ${match.type}`));

    const missing = catalogue.routes().filter((route) => !routed.has(`${route.source} ${route.type}`));

    expect(missing).toEqual([]);
  });
});
