import { type AwsTools, describeWithAwsTools, translateTemplate } from './tools';

/**
 * template.yaml as CloudFormation receives it: translated by AWS SAM's own translator (samtranslator, from
 * requirements.txt), so resources SAM generates (schedules, stages, roles) are checked too.
 */
interface CfnResource {
  Type: string;
  Condition?: string;
  Properties?: Record<string, unknown>;
}
interface CfnTemplate {
  Parameters: Record<string, { Default?: unknown }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
}

function translate(tools: AwsTools): CfnTemplate {
  return translateTemplate(tools) as CfnTemplate;
}

/**
 * Evaluates the intrinsics a physical name can be made of, for one stack name and the parameters'
 * defaults. Hand-written: no JavaScript library evaluates CloudFormation intrinsics, and names use few.
 */
function evaluator(template: CfnTemplate, stackName: string) {
  const pseudo: Record<string, string> = {
    'AWS::StackName': stackName,
    'AWS::Region': 'us-east-1',
    'AWS::AccountId': '123456789012',
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const ref = (name: string): unknown =>
    pseudo[name] ?? template.Parameters[name]?.Default ?? `{resource ${name}}`;
  const condition = (name: string): boolean => Boolean(value(template.Conditions[name]));
  function value(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(value);
    if (typeof node !== 'object' || node === null) return node;
    const [[fn, arg]] = Object.entries(node) as [[string, unknown]];
    const args = arg as unknown[];
    switch (fn) {
      case 'Ref':
        return ref(arg as string);
      case 'Condition':
        return condition(arg as string);
      case 'Fn::Equals':
        return String(value(args[0])) === String(value(args[1]));
      case 'Fn::Not':
        return !value(args[0]);
      case 'Fn::And':
        return args.every((item) => Boolean(value(item)));
      case 'Fn::Or':
        return args.some((item) => Boolean(value(item)));
      case 'Fn::If':
        return condition(args[0] as string) ? value(args[1]) : value(args[2]);
      case 'Fn::Join': {
        // A CommaDelimitedList parameter's default is one comma-separated string.
        const items = value(args[1]);
        return (Array.isArray(items) ? items : String(items).split(',')).map(String).join(args[0] as string);
      }
      case 'Fn::Split':
        return String(value(args[1])).split(args[0] as string);
      case 'Fn::Sub': {
        const [text, vars] =
          typeof arg === 'string' ? [arg, {}] : (args as [string, Record<string, unknown>]);
        return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) =>
          name in vars ? String(value(vars[name])) : String(name.includes('.') ? `{${name}}` : ref(name)),
        );
      }
      case 'Fn::GetAtt':
        return `{${(args as string[]).join('.')}}`;
      default:
        return node;
    }
  }
  return { value, condition };
}

/** Properties that name a resource in its account and region (each type's name must be unique there). */
const namePaths: Record<string, string[][]> = {
  'AWS::Scheduler::Schedule': [['Name']],
  'AWS::Glue::Database': [['DatabaseInput', 'Name']],
  'AWS::Events::EventBus': [['Name']],
  'AWS::Events::Archive': [['ArchiveName']],
  'AWS::Athena::WorkGroup': [['Name']],
  'AWS::Logs::LogGroup': [['LogGroupName']],
  'AWS::Logs::ResourcePolicy': [['PolicyName']],
  'AWS::KMS::Alias': [['AliasName']],
  'AWS::StepFunctions::StateMachine': [['StateMachineName']],
  'AWS::CloudWatch::Dashboard': [['DashboardName']],
  'AWS::CloudWatch::Alarm': [['AlarmName']],
  'AWS::IAM::Role': [['RoleName']],
  'AWS::Lambda::Function': [['FunctionName']],
  'AWS::S3::Bucket': [['BucketName']],
  'AWS::DynamoDB::Table': [['TableName']],
  'AWS::SQS::Queue': [['QueueName']],
  'AWS::SNS::Topic': [['TopicName']],
  'AWS::Kinesis::Stream': [['Name']],
  'AWS::KinesisFirehose::DeliveryStream': [['DeliveryStreamName']],
  'AWS::OpenSearchService::Domain': [['DomainName']],
  'AWS::SecretsManager::Secret': [['Name']],
  'AWS::ApiGateway::RestApi': [['Name']],
  // The OpenSearch security role the search-security custom resource keeps for the indexer.
  'AWS::CloudFormation::CustomResource': [['RoleName']],
};

function physicalNames(template: CfnTemplate, stackName: string): string[] {
  const { value, condition } = evaluator(template, stackName);
  const names: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Condition && !condition(resource.Condition)) continue;
    for (const path of namePaths[resource.Type] ?? []) {
      let node: unknown = resource.Properties;
      for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
      if (node !== undefined) names.push(`${resource.Type} ${String(value(node))} (${id})`);
    }
  }
  return names;
}

describeWithAwsTools('template.yaml translated by the SAM translator', (tools) => {
  let template: CfnTemplate;
  beforeAll(() => {
    template = translate(tools);
  });

  it('gives two stacks in one account and region no physical name in common', () => {
    const dev = physicalNames(template, 'webhook-pipeline-dev');
    const prod = physicalNames(template, 'webhook-pipeline-prod');
    const strip = (name: string) => name.replace(/ \(\w+\)$/, '');
    const prodNames = new Set(prod.map(strip));

    expect(dev.length).toBeGreaterThan(5);
    expect(dev.filter((name) => prodNames.has(strip(name)))).toEqual([]);
  });

  it('creates exactly one API stage, the Stage parameter, with its settings', () => {
    const stages = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::ApiGateway::Stage');
    const deploymentStages = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::ApiGateway::Deployment')
      .map((r) => r.Properties?.StageName)
      .filter((name) => name !== undefined);

    expect(deploymentStages).toEqual([]);
    expect(stages).toHaveLength(1);
    expect(stages[0]?.[1].Properties).toEqual(
      expect.objectContaining({
        StageName: { Ref: 'Stage' },
        // Traced only when the stack is deployed with TracingEnabled=true.
        TracingEnabled: { 'Fn::If': ['TraceRequests', true, false] },
        AccessLogSetting: expect.any(Object),
        MethodSettings: expect.any(Array),
      }),
    );
  });

  it('lets every function log at LogLevel (JSON logs are filtered by ApplicationLogLevel)', () => {
    const functions = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === 'AWS::Lambda::Function',
    );

    expect(functions.length).toBeGreaterThanOrEqual(8);
    for (const [id, fn] of functions) {
      const logging = fn.Properties?.LoggingConfig as Record<string, unknown> | undefined;
      expect({ id, format: logging?.LogFormat, level: logging?.ApplicationLogLevel }).toEqual({
        id,
        format: 'JSON',
        level: { Ref: 'LogLevel' },
      });
    }
  });
});
