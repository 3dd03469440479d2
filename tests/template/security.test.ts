import { loadTemplate, type TemplateResource } from '../../local/template';

const template = loadTemplate();
const resources = Object.entries(template.Resources);
const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

/**
 * SAM policy templates the template may use. Each expands to a fixed list of actions with no wildcard
 * (see SAM's policy_templates.json); anything else must be an inline statement checked below.
 */
const allowedPolicyTemplates = new Set([
  'AWSSecretsManagerGetSecretValuePolicy',
  'DynamoDBCrudPolicy',
  'DynamoDBReadPolicy',
  'DynamoDBWritePolicy',
  'S3ReadPolicy',
  'S3WritePolicy',
  'S3CrudPolicy',
  'LambdaInvokePolicy',
  'EventBridgePutEventsPolicy',
  'SNSPublishMessagePolicy',
  'SQSSendMessagePolicy',
  'SQSPollerPolicy',
  'KinesisStreamReadPolicy',
  'CloudWatchPutMetricPolicy',
]);

/** Actions that AWS defines only on Resource "*", and why each is granted. */
const resourceWildcardExceptions: Record<string, string> = {
  'logs:CreateLogDelivery': 'Express workflow logging; the log-delivery API takes no resource ARN',
  'logs:GetLogDelivery': 'Express workflow logging',
  'logs:UpdateLogDelivery': 'Express workflow logging',
  'logs:DeleteLogDelivery': 'Express workflow logging',
  'logs:ListLogDeliveries': 'Express workflow logging',
  'logs:PutResourcePolicy': 'Express workflow logging',
  'logs:DescribeResourcePolicies': 'Express workflow logging',
  'logs:DescribeLogGroups': 'Express workflow logging',
  'cloudwatch:PutMetricData': 'CloudWatch metrics take no resource ARN (scoped by namespace condition)',
  'xray:PutTraceSegments': 'X-Ray takes no resource ARN',
  'xray:PutTelemetryRecords': 'X-Ray takes no resource ARN',
};

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every inline IAM statement in the template, with where it came from. */
function inlineStatements(): Array<{ where: string; statement: Statement }> {
  const found: Array<{ where: string; statement: Statement }> = [];
  for (const [id, resource] of resources) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::Serverless::Function' || resource.Type === 'AWS::Serverless::StateMachine') {
      for (const policy of asList(props.Policies as unknown)) {
        if (typeof policy === 'object' && policy !== null && 'Statement' in policy) {
          for (const statement of asList((policy as { Statement: Statement | Statement[] }).Statement)) {
            found.push({ where: id, statement });
          }
        }
      }
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of asList(props.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>)) {
        for (const statement of asList(policy.PolicyDocument.Statement)) found.push({ where: id, statement });
      }
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      const document = props.PolicyDocument as { Statement: Statement[] };
      for (const statement of asList(document.Statement)) found.push({ where: id, statement });
    }
  }
  return found;
}

describe('IAM is least privilege', () => {
  const statements = inlineStatements();

  it('has inline statements to check', () => {
    expect(statements.length).toBeGreaterThan(0);
  });

  it('grants no wildcard action', () => {
    const wildcards = statements
      .filter(({ statement }) => statement.Effect !== 'Deny')
      .flatMap(({ where, statement }) =>
        asList(statement.Action)
          .filter((a) => a.includes('*'))
          .map((a) => `${where}: ${a}`),
      );
    expect(wildcards).toEqual([]);
  });

  it('grants Resource "*" only for actions AWS defines without a resource', () => {
    const unscoped = statements
      .filter(
        ({ statement }) => statement.Effect !== 'Deny' && asList(statement.Resource as string).includes('*'),
      )
      .flatMap(({ where, statement }) =>
        asList(statement.Action)
          .filter((a) => !(a in resourceWildcardExceptions))
          .map((a) => `${where}: ${a}`),
      );
    expect(unscoped).toEqual([]);
  });

  it('gives functions and state machines only policy templates known to expand without wildcard actions', () => {
    const serverless = resources.filter(
      ([, r]) => r.Type === 'AWS::Serverless::Function' || r.Type === 'AWS::Serverless::StateMachine',
    );
    const used = serverless.flatMap(([id, resource]) =>
      asList(resource.Properties?.Policies as unknown)
        .filter(
          (policy) =>
            typeof policy === 'string' ||
            (typeof policy === 'object' && policy !== null && !('Statement' in policy)),
        )
        .map((policy) => ({
          id,
          name: typeof policy === 'string' ? policy : Object.keys(policy as object)[0],
        })),
    );
    expect(used.filter(({ name }) => !allowedPolicyTemplates.has(String(name)))).toEqual([]);
  });
});

describe('data at rest is encrypted', () => {
  const checks: Record<string, (r: TemplateResource) => boolean> = {
    'AWS::Kinesis::Stream': (r) =>
      (r.Properties?.StreamEncryption as { EncryptionType?: string })?.EncryptionType === 'KMS',
    'AWS::S3::Bucket': (r) =>
      Array.isArray(
        (r.Properties?.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown })
          ?.ServerSideEncryptionConfiguration,
      ),
    'AWS::DynamoDB::Table': (r) =>
      (r.Properties?.SSESpecification as { SSEEnabled?: boolean })?.SSEEnabled === true,
    'AWS::SQS::Queue': (r) =>
      r.Properties?.SqsManagedSseEnabled === true || r.Properties?.KmsMasterKeyId !== undefined,
    'AWS::SNS::Topic': (r) => r.Properties?.KmsMasterKeyId !== undefined,
    'AWS::OpenSearchService::Domain': (r) =>
      (r.Properties?.EncryptionAtRestOptions as { Enabled?: boolean })?.Enabled === true &&
      (r.Properties?.NodeToNodeEncryptionOptions as { Enabled?: boolean })?.Enabled === true,
  };
  const stores = resources.filter(([, r]) => r.Type in checks);

  it('has data stores to check', () => {
    expect(stores.length).toBeGreaterThanOrEqual(5);
  });

  it.each(stores)('%s is encrypted at rest', (_id, resource) => {
    expect(checks[resource.Type]?.(resource)).toBe(true);
  });
});

describe('buckets', () => {
  const buckets = ofType('AWS::S3::Bucket');
  const policies = ofType('AWS::S3::BucketPolicy');

  it.each(buckets)('%s blocks every kind of public access', (_id, bucket) => {
    expect(bucket.Properties?.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it.each(buckets)('%s denies requests that are not TLS', (id) => {
    const policy = policies.find(([, p]) => (p.Properties?.Bucket as { Ref?: string })?.Ref === id);
    expect(policy).toBeDefined();
    const document = policy?.[1].Properties?.PolicyDocument as { Statement?: Array<Record<string, unknown>> };
    const statements = document?.Statement ?? [];
    const denyInsecure = statements.find(
      (s) =>
        s.Effect === 'Deny' &&
        JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
    );
    expect(denyInsecure).toBeDefined();
    const covered = JSON.stringify(denyInsecure?.Resource);
    expect(covered).toContain(`"${id}","Arn"`);
    expect(covered).toContain('/*');
  });
});

describe('secrets live only in Secrets Manager', () => {
  const secretLike = /SECRET|TOKEN|PASSWORD|PRIVATE_KEY|CREDENTIAL/i;

  it('passes secrets to functions only as references to Secrets Manager entries', () => {
    const leaks: string[] = [];
    for (const [id, resource] of ofType('AWS::Serverless::Function')) {
      const variables =
        (resource.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {};
      for (const [name, value] of Object.entries(variables)) {
        if (!secretLike.test(name)) continue;
        // An empty value only declares the variable, so `sam local invoke --env-vars` may set it locally.
        if (value === '') continue;
        const ref = (value as { Ref?: string })?.Ref;
        if (!ref || template.Resources[ref]?.Type !== 'AWS::SecretsManager::Secret')
          leaks.push(`${id}.${name}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('takes no secret as a template parameter', () => {
    const parameters = Object.keys(template.Parameters).filter(
      (name) => secretLike.test(name) && !/Arn$|Name$/.test(name),
    );
    expect(parameters).toEqual([]);
  });
});
