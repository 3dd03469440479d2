import { loadTemplate } from '../../local/template';

const template = loadTemplate() as ReturnType<typeof loadTemplate> & {
  Rules: Record<string, { RuleCondition?: unknown; Assertions: Array<{ Assert: unknown }> }>;
  Parameters: Record<string, { Default?: unknown }>;
};

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function statementsOn(logicalId: string, resourceRef: string): Statement[] {
  const policies = (template.Resources[logicalId]?.Properties?.Policies ?? []) as unknown[];
  return policies
    .flatMap((policy) => ((policy as { Statement?: Statement[] }).Statement ?? []) as Statement[])
    .filter((statement) => JSON.stringify(statement.Resource).includes(resourceRef));
}

describe('idempotency table grants', () => {
  it.each([
    ['ComplianceFunction', ['compliance.bus#*', 'compliance.alarm#*']],
    ['DnsUpdaterFunction', ['dns#*', 'dns-version#*']],
  ])('%s reaches only its own key prefixes, one item at a time', (id, prefixes) => {
    const policies = JSON.stringify(template.Resources[id]?.Properties?.Policies);
    const statements = statementsOn(id, 'IdempotencyTable');

    expect(policies).not.toContain('DynamoDBCrudPolicy');
    expect(statements).toHaveLength(1);
    expect([...((statements[0]?.Action ?? []) as string[])].sort()).toEqual(
      ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].sort(),
    );
    expect(statements[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes },
    });
  });
});

describe('payload bucket grants', () => {
  it('ingest writes claim-checked bodies and deletes only by version id, which only its own writes tell it', () => {
    const statements = statementsOn('IngestFunction', 'PayloadBucket');
    const bucket = template.Resources.PayloadBucket?.Properties ?? {};

    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:DeleteObjectVersion'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub, not a JavaScript template
        Resource: { 'Fn::Sub': '${PayloadBucket.Arn}/*' },
      },
    ]);
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('no function may delete a payload by key, nor learn the version ids of bodies it did not write', () => {
    const granted = (pattern: RegExp) =>
      Object.keys(template.Resources).filter((id) =>
        statementsOn(id, 'PayloadBucket').some((statement) =>
          [statement.Action].flat().some((action) => pattern.test(action)),
        ),
      );

    expect(granted(/^s3:(\*|DeleteObject)$/)).toEqual([]);
    expect(granted(/^s3:DeleteObjectVersion$/)).toEqual(['IngestFunction']);
    expect(granted(/^s3:(ListBucketVersions|GetObjectVersion)$/)).toEqual([]);
  });

  it('removes expired versions and their delete markers, so versioning keeps nothing longer', () => {
    const lifecycle = template.Resources.PayloadBucket?.Properties?.LifecycleConfiguration as
      | { Rules: Record<string, unknown>[] }
      | undefined;
    const rules = lifecycle?.Rules;

    expect(rules).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        ExpirationInDays: { Ref: 'PayloadExpirationDays' },
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      }),
      expect.objectContaining({ Status: 'Enabled', ExpiredObjectDeleteMarker: true }),
    ]);
  });
});

describe('the indexer', () => {
  it('has no idempotency table: OpenSearch create semantics stop its repeats', () => {
    const indexer = template.Resources.IndexerFunction?.Properties ?? {};
    const variables = (indexer.Environment as { Variables: Record<string, unknown> }).Variables;

    expect(statementsOn('IndexerFunction', 'IdempotencyTable')).toEqual([]);
    expect(JSON.stringify(indexer.Policies)).not.toContain('dynamodb:');
    expect(variables).not.toHaveProperty('IDEMPOTENCY_TABLE');
  });

  it('is never the search domain master user, and is mapped to its own security role instead', () => {
    const domain = template.Resources.SearchDomain?.Properties?.AdvancedSecurityOptions;
    const mapping = template.Resources.IndexerSearchRole?.Properties ?? {};
    const indexer = template.Resources.IndexerFunction?.Properties?.Environment as {
      Variables: Record<string, unknown>;
    };

    expect(JSON.stringify(domain)).not.toContain('IndexerFunctionRole');
    expect(JSON.stringify(domain)).toContain('SearchSecurityFunctionRole');
    expect(mapping.BackendRoles).toEqual([{ 'Fn::GetAtt': ['IndexerFunctionRole', 'Arn'] }]);
    expect(mapping.IndexPrefix).toBe(indexer.Variables.OPENSEARCH_INDEX_PREFIX);
  });
});

/**
 * Evaluates the template's Rules for a set of parameter values, as CloudFormation does before it deploys.
 * Hand-written: only the rule functions the template uses (Equals, Not, And, Or, Contains, Ref).
 */
function refusedBy(overrides: Record<string, string>): string[] {
  const parameter = (name: string) => overrides[name] ?? String(template.Parameters[name]?.Default ?? '');
  const evaluate = (node: unknown): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    if (Array.isArray(node)) return node.map(evaluate);
    const [[fn, arg]] = Object.entries(node) as [[string, unknown]];
    const args = arg as unknown[];
    switch (fn) {
      case 'Ref':
        return parameter(arg as string);
      case 'Fn::Equals':
        return String(evaluate(args[0])) === String(evaluate(args[1]));
      case 'Fn::Not':
        return !evaluate(args[0]);
      case 'Fn::And':
        return args.every((item) => evaluate(item) === true);
      case 'Fn::Or':
        return args.some((item) => evaluate(item) === true);
      case 'Fn::Contains':
        return (evaluate(args[0]) as unknown[]).map(String).includes(String(evaluate(args[1])));
      default:
        throw new Error(`rule function ${fn} is not evaluated here`);
    }
  };
  return Object.entries(template.Rules).flatMap(([name, rule]) => {
    if (rule.RuleCondition !== undefined && evaluate(rule.RuleCondition) !== true) return [];
    return rule.Assertions.some((assertion) => evaluate(assertion.Assert) !== true) ? [name] : [];
  });
}

describe('template Rules', () => {
  it('accept the defaults and the documented combinations', () => {
    expect(refusedBy({})).toEqual([]);
    expect(
      refusedBy({
        OpenSearchService: 'aoss',
        OpenSearchEndpoint: 'https://abc.us-east-1.aoss.amazonaws.com',
        OpenSearchResourceName: 'abc',
      }),
    ).toEqual([]);
    expect(refusedBy({ OpenSearchInstanceCount: '4' })).toEqual([]);
    expect(refusedBy({ LakeInfrequentAccessDays: '90', LakeGlacierDays: '120' })).toEqual([]);
  });

  it.each([
    ['a collection with no endpoint', { OpenSearchService: 'aoss' }, 'SearchCollectionNeedsEndpoint'],
    [
      'an endpoint with no resource name',
      { OpenSearchEndpoint: 'https://search.example.com' },
      'SearchEndpointNeedsResourceName',
    ],
    ['an odd node count with zone awareness', { OpenSearchInstanceCount: '3' }, 'SearchDomainNodesEven'],
    [
      'Glacier less than 30 days after Standard-IA',
      { LakeInfrequentAccessDays: '90', LakeGlacierDays: '90' },
      'LakeTiersThirtyDaysApart',
    ],
  ])('refuse %s', (_what, overrides, rule) => {
    expect(refusedBy(overrides)).toContain(rule);
  });
});
