// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected values are CloudFormation !Sub strings.
import { SOURCE_IDS } from '../../functions/lib/envelope';
import { esbuildFunctions, loadTemplate } from '../../local/template';

const template = loadTemplate();
const resource = (id: string) => {
  const found = template.Resources[id];
  if (!found) throw new Error(`template.yaml has no ${id}`);
  return found;
};

/** The value at a dotted path (array items by index) in a resource's properties. */
function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (node, key) =>
        typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined,
      value,
    );
}
const props = (id: string, path = '') => (path ? at(resource(id).Properties, path) : resource(id).Properties);

interface Processor {
  Type: string;
  Parameters: Array<{ ParameterName: string; ParameterValue: string }>;
}
interface Statement {
  Sid: string;
  Action: unknown;
  Resource: unknown;
}

describe('hot stream: the event bus', () => {
  it('archives every event of the bus for the retention the parameter sets', () => {
    expect(resource('WebhookEventArchive').Type).toBe('AWS::Events::Archive');
    expect(props('WebhookEventArchive', 'SourceArn')).toEqual({ 'Fn::GetAtt': ['WebhookEventBus', 'Arn'] });
    expect(props('WebhookEventArchive', 'RetentionDays')).toEqual({ Ref: 'EventArchiveRetentionDays' });
    expect(props('WebhookEventArchive', 'EventPattern')).toBeUndefined();
    expect(template.Parameters.EventArchiveRetentionDays?.Type).toBe('Number');
  });

  it('copies every event to a debug log group only when the parameter turns it on', () => {
    const debug = ['WebhookEventDebugLogGroup', 'WebhookEventDebugLogPolicy', 'WebhookEventDebugLogRule'];

    expect(debug.map((id) => resource(id).Condition)).toEqual([
      'LogAllEvents',
      'LogAllEvents',
      'LogAllEvents',
    ]);
    expect(template.Parameters.EventDebugLogEnabled?.Default).toBe('false');
    expect(props('WebhookEventDebugLogRule', 'EventBusName')).toEqual({ Ref: 'WebhookEventBus' });
    expect(props('WebhookEventDebugLogRule', 'EventPattern')).toEqual({ source: [{ prefix: '' }] });
    expect(props('WebhookEventDebugLogRule', 'Targets.0.Arn.Fn::Sub')).toContain(
      ':log-group:${WebhookEventDebugLogGroup}',
    );
  });

  it('lets EventBridge write to the debug log group through its resource policy', () => {
    const document = props('WebhookEventDebugLogPolicy', 'PolicyDocument.Fn::Sub') as string;
    const policy = JSON.parse(document.replace('${WebhookEventDebugLogGroup.Arn}', 'ARN'));

    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: 'ARN',
      }),
    ]);
  });

  it('forwards compliance findings of the chosen severities to the alarm topic', () => {
    expect(props('ComplianceFindingRule', 'EventPattern')).toEqual({
      source: ['webhooks.compliance'],
      'detail-type': ['Compliance Finding'],
      detail: { severity: { Ref: 'FindingRuleSeverities' } },
    });
    expect(props('ComplianceFindingRule', 'Targets.0.Arn')).toEqual({ Ref: 'ComplianceAlarmTopic' });
    expect(resource('ComplianceAlarmTopic').Type).toBe('AWS::SNS::Topic');
    // The compliance function alarms from this severity up by itself: the rule must not repeat those.
    const direct = String(template.Parameters.ComplianceAlarmMinSeverity?.Default);
    const forwarded = String(template.Parameters.FindingRuleSeverities?.Default).split(',');
    const order = ['info', 'low', 'medium', 'high', 'critical'];
    expect(forwarded.every((severity) => order.indexOf(severity) < order.indexOf(direct))).toBe(true);
  });
});

describe('cold stream: Firehose to the lake', () => {
  const s3 = (path: string) => props('LakeDeliveryStream', `ExtendedS3DestinationConfiguration.${path}`);

  it('reads the Kinesis stream with its own role', () => {
    expect(props('LakeDeliveryStream', 'DeliveryStreamType')).toBe('KinesisStreamAsSource');
    expect(props('LakeDeliveryStream', 'KinesisStreamSourceConfiguration')).toEqual({
      KinesisStreamARN: { 'Fn::GetAtt': ['WebhookStream', 'Arn'] },
      RoleARN: { 'Fn::GetAtt': ['LakeDeliveryRole', 'Arn'] },
    });
  });

  it('writes GZIP every 60 s with the 64 MB buffer dynamic partitioning requires', () => {
    expect(s3('BucketARN')).toEqual({ 'Fn::GetAtt': ['LakeBucket', 'Arn'] });
    expect(s3('CompressionFormat')).toBe('GZIP');
    expect(s3('BufferingHints')).toEqual({ IntervalInSeconds: 60, SizeInMBs: 64 });
    expect(s3('FileExtension')).toMatch(/\.gz$/);
    expect(s3('CloudWatchLoggingOptions')).toEqual({
      Enabled: true,
      LogGroupName: { Ref: 'LakeDeliveryLogGroup' },
      LogStreamName: { Ref: 'LakeDeliveryLogStream' },
    });
  });

  it('partitions by the envelope source, receive date and type, with failures under an error prefix', () => {
    const processors = s3('ProcessingConfiguration.Processors') as Processor[];
    const extraction = processors.find((processor) => processor.Type === 'MetadataExtraction');
    const parameter = (processor: Processor | undefined, name: string) =>
      processor?.Parameters.find((p) => p.ParameterName === name)?.ParameterValue;
    const query = String(parameter(extraction, 'MetadataExtractionQuery'));
    const keys = [...query.matchAll(/(\w+): \.(\w+)/g)].map(([, key, field]) => `${key}<-${field}`);

    expect(s3('DynamicPartitioningConfiguration.Enabled')).toBe(true);
    expect(extraction?.Type).toBe('MetadataExtraction');
    expect(parameter(extraction, 'JsonParsingEngine')).toBe('JQ-1.6');
    expect(keys).toEqual(['source<-source', 'dt<-receivedAt', 'type<-type']);
    expect(query).toContain('.receivedAt[0:10]');
    expect(s3('Prefix')).toBe(
      'events/source=!{partitionKeyFromQuery:source}/dt=!{partitionKeyFromQuery:dt}/type=!{partitionKeyFromQuery:type}/',
    );
    expect(s3('ErrorOutputPrefix')).toMatch(/^errors\/!\{firehose:error-output-type\}\//);
  });

  it('makes each envelope one line with the transform Lambda, which also appends the only delimiter', () => {
    const processors = s3('ProcessingConfiguration.Processors') as Processor[];
    const lambda = processors.find((processor) => processor.Type === 'Lambda');
    const parameter = (name: string) =>
      lambda?.Parameters.find((p) => p.ParameterName === name)?.ParameterValue;

    expect(s3('ProcessingConfiguration.Enabled')).toBe(true);
    expect(processors.map((processor) => processor.Type).sort()).toEqual(['Lambda', 'MetadataExtraction']);
    expect(parameter('LambdaArn')).toEqual({ 'Fn::GetAtt': ['LakeTransformFunction', 'Arn'] });
    // Lambda's synchronous payload limit is 6 MB; base64 makes a batch a third larger each way.
    expect(Number(parameter('BufferSizeInMBs'))).toBeLessThanOrEqual(3);
    // Relative to the project root (the template's EntryPoints are relative to CodeUri, functions/).
    expect(esbuildFunctions().find((fn) => fn.logicalId === 'LakeTransformFunction')?.entryPoint).toBe(
      'functions/lake-transform/handler.ts',
    );
  });

  it('gives Firehose only what it needs: read the stream, transform, write the lake, log errors', () => {
    const statements = props('LakeDeliveryPolicy', 'PolicyDocument.Statement') as Statement[];
    const grants = Object.fromEntries(
      statements.map((s) => [s.Sid, { Action: s.Action, Resource: s.Resource }]),
    );

    expect(props('LakeDeliveryRole', 'AssumeRolePolicyDocument.Statement.0.Principal')).toEqual({
      Service: 'firehose.amazonaws.com',
    });
    expect(props('LakeDeliveryPolicy', 'Roles')).toEqual([{ Ref: 'LakeDeliveryRole' }]);
    expect(resource('LakeDeliveryStream')).toHaveProperty('DependsOn', 'LakeDeliveryPolicy');
    expect(grants).toEqual({
      ReadStream: {
        Action: [
          'kinesis:DescribeStream',
          'kinesis:GetShardIterator',
          'kinesis:GetRecords',
          'kinesis:ListShards',
        ],
        Resource: { 'Fn::GetAtt': ['WebhookStream', 'Arn'] },
      },
      WriteArchive: {
        Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
        Resource: [{ 'Fn::Sub': '${LakeBucket.Arn}/events/*' }, { 'Fn::Sub': '${LakeBucket.Arn}/errors/*' }],
      },
      FindBucket: {
        Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        Resource: { 'Fn::GetAtt': ['LakeBucket', 'Arn'] },
      },
      LogDeliveryErrors: {
        Action: 'logs:PutLogEvents',
        Resource: { 'Fn::GetAtt': ['LakeDeliveryLogGroup', 'Arn'] },
      },
      TransformRecords: {
        Action: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
        Resource: { 'Fn::GetAtt': ['LakeTransformFunction', 'Arn'] },
      },
    });
  });

  it('keeps the lake private and encrypted, and tiers archived events to cheaper storage', () => {
    const rules = props('LakeBucket', 'LifecycleConfiguration.Rules') as Array<Record<string, unknown>>;
    const tiering = rules.find((rule) => rule.Prefix === 'events/');

    expect(props('LakeBucket', 'BucketEncryption.ServerSideEncryptionConfiguration')).toHaveLength(1);
    expect(Object.values(props('LakeBucket', 'PublicAccessBlockConfiguration') as object)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(at(tiering, 'Transitions.0.StorageClass')).toBe('STANDARD_IA');
    expect(at(tiering, 'Transitions.1.StorageClass')).toBe('GLACIER_IR');
    expect(props('LakeBucketPolicy', 'PolicyDocument.Statement.0')).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });
});

describe('cold stream: Glue table and Athena', () => {
  const table = (path: string) => props('LakeEventsTable', `TableInput.${path}`);
  const parameters = table('Parameters') as Record<string, unknown>;
  const partitionKeys = (table('PartitionKeys') as Array<{ Name: string }>).map((key) => key.Name);
  const columns = table('StorageDescriptor.Columns') as Array<{ Name: string; Type: string }>;

  it('projects every partition key, so no crawler is needed', () => {
    expect(parameters['projection.enabled']).toBe('true');
    for (const key of partitionKeys) expect(parameters[`projection.${key}.type`]).toBeDefined();
    expect(partitionKeys).toEqual(['source', 'dt']);
    expect(parameters['projection.dt.type']).toBe('date');
    expect(parameters['projection.dt.format']).toBe('yyyy-MM-dd');
  });

  it('projects exactly the sources an envelope may carry', () => {
    expect(String(parameters['projection.source.values']).split(',')).toEqual([...SOURCE_IDS]);
  });

  it('locates partitions where Firehose writes them', () => {
    const location = (parameters['storage.location.template'] as { 'Fn::Sub': string })['Fn::Sub'];
    const firehosePrefix = String(props('LakeDeliveryStream', 'ExtendedS3DestinationConfiguration.Prefix'));
    const projected = location
      .replace('s3://${LakeBucket}/', '')
      .replace(/\$\{!(\w+)\}/g, '!{partitionKeyFromQuery:$1}');

    expect(firehosePrefix.startsWith(projected)).toBe(true);
    expect(table('StorageDescriptor.Location')).toEqual({ 'Fn::Sub': 's3://${LakeBucket}/events/' });
  });

  it('reads the envelope with the OpenX JSON SerDe, payload as JSON text', () => {
    const types = Object.fromEntries(columns.map((c) => [c.Name, c.Type]));

    expect(table('StorageDescriptor.SerdeInfo.SerializationLibrary')).toBe(
      'org.openx.data.jsonserde.JsonSerDe',
    );
    expect(types).toMatchObject({ id: 'string', type: 'string', receivedat: 'string', payload: 'string' });
    expect(columns.filter((column) => partitionKeys.includes(column.Name))).toEqual([]);
  });

  it('has a workgroup that enforces encrypted results in the lake bucket', () => {
    const configuration = (path: string) => props('LakeWorkGroup', `WorkGroupConfiguration.${path}`);

    expect(configuration('EnforceWorkGroupConfiguration')).toBe(true);
    expect(configuration('ResultConfiguration.EncryptionConfiguration.EncryptionOption')).toBe('SSE_S3');
    expect(configuration('ResultConfiguration.OutputLocation')).toEqual({
      'Fn::Sub': 's3://${LakeBucket}/athena-results/',
    });
    expect(configuration('BytesScannedCutoffPerQuery')).toEqual({ Ref: 'AthenaBytesScannedCutoff' });
  });
});
