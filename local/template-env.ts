import { LOCAL_ACCOUNT, LOCAL_ARNS, LOCAL_NAMES, LOCAL_REGION, LOCAL_STACK } from './names';
import { loadTemplate, type Template, type TemplateResource } from './template';

/**
 * Turns the template's environment for one function (Globals + the function's own variables) into the
 * values the local pipeline passes to its worker: each !Ref/!GetAtt/!Sub resolved to the local stand-in
 * of the resource, parameters to their defaults. Hand-written because no library evaluates
 * CloudFormation intrinsics offline, and only the few the template uses in Environment matter here.
 */

/** A variable resolved to this value is left out (the function then uses its local fallback). */
const OMIT = Symbol('omit');
type Resolved = string | number | boolean | typeof OMIT | Resolved[] | { [key: string]: Resolved };

export interface LocalFunction {
  logicalId: string;
  /** Function name as Lambda would report it. */
  functionName: string;
  timeoutSeconds: number;
  memorySize: number;
  environment: Record<string, string>;
  resource: TemplateResource;
}

export interface ResolveOptions {
  /** Parameter values that replace the template's defaults. */
  parameters?: Record<string, string>;
  /** Values for resources by logical id (for example a fake's URL for an OpenSearch domain's endpoint). */
  resourceValues?: Record<string, string>;
}

const pseudoParameters: Record<string, string> = {
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::StackName': LOCAL_STACK,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::NoValue': '',
};

function kebab(logicalId: string): string {
  return logicalId.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** What !Ref gives for a resource, locally. */
function refResource(logicalId: string, resource: TemplateResource): Resolved {
  const props = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::Kinesis::Stream':
      return LOCAL_NAMES.stream;
    case 'AWS::S3::Bucket':
      return /lake/i.test(logicalId) ? LOCAL_NAMES.lakeBucket : LOCAL_NAMES.payloadBucket;
    case 'AWS::DynamoDB::Table':
      return LOCAL_NAMES.idempotencyTable;
    case 'AWS::Events::EventBus':
      return LOCAL_NAMES.eventBus;
    case 'AWS::Serverless::StateMachine':
    case 'AWS::StepFunctions::StateMachine':
      return LOCAL_ARNS.stateMachine;
    case 'AWS::Serverless::Function':
    case 'AWS::Lambda::Function':
      return localFunctionName(logicalId);
    case 'AWS::SecretsManager::Secret':
      // Locally secrets come from WEBHOOK_SECRET_<SOURCE> variables, never from Secrets Manager.
      return OMIT;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${String(props.TopicName ?? kebab(logicalId))}`;
    case 'AWS::SQS::Queue':
      return `http://127.0.0.1/${LOCAL_ACCOUNT}/${kebab(logicalId)}`;
    default:
      return kebab(logicalId);
  }
}

function arnOf(logicalId: string, resource: TemplateResource): string {
  const name = refResource(logicalId, resource);
  switch (resource.Type) {
    case 'AWS::Kinesis::Stream':
      return LOCAL_ARNS.stream;
    case 'AWS::Events::EventBus':
      return LOCAL_ARNS.eventBus;
    case 'AWS::Serverless::Function':
    case 'AWS::Lambda::Function':
      return LOCAL_ARNS.function(String(name));
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${String(name)}`;
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${String(name)}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${kebab(logicalId)}`;
    default:
      return typeof name === 'string' && name.startsWith('arn:')
        ? name
        : `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${kebab(logicalId)}`;
  }
}

export function localFunctionName(logicalId: string): string {
  return `${LOCAL_STACK}-${logicalId}`;
}

class Resolver {
  private readonly conditions = new Map<string, boolean>();

  constructor(
    private readonly template: Template,
    private readonly options: ResolveOptions,
  ) {}

  parameter(name: string): string | undefined {
    const override = this.options.parameters?.[name];
    if (override !== undefined) return override;
    const value = this.template.Parameters?.[name]?.Default;
    return value === undefined ? undefined : String(value);
  }

  ref(name: string): Resolved {
    if (name in pseudoParameters) return pseudoParameters[name] as string;
    const override = this.options.resourceValues?.[name];
    if (override !== undefined) return override;
    const parameter = this.parameter(name);
    if (parameter !== undefined) return parameter;
    const resource = this.template.Resources[name];
    if (!resource) throw new Error(`template: !Ref ${name} names no parameter or resource`);
    return refResource(name, resource);
  }

  getAtt(logicalId: string, attribute: string): Resolved {
    const override = this.options.resourceValues?.[`${logicalId}.${attribute}`];
    if (override !== undefined) return override;
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`template: !GetAtt ${logicalId}.${attribute} names no resource`);
    if (attribute === 'Arn' || attribute.endsWith('Arn')) return arnOf(logicalId, resource);
    if (attribute === 'QueueUrl') return refResource(logicalId, resource);
    return `${kebab(logicalId)}.local`;
  }

  condition(name: string): boolean {
    const cached = this.conditions.get(name);
    if (cached !== undefined) return cached;
    const definition = (this.template as { Conditions?: Record<string, unknown> }).Conditions?.[name];
    if (definition === undefined) throw new Error(`template: condition ${name} is not defined`);
    const value = this.truthy(definition);
    this.conditions.set(name, value);
    return value;
  }

  private truthy(expression: unknown): boolean {
    const resolved = this.resolve(expression);
    return resolved === true || resolved === 'true';
  }

  resolve(value: unknown): Resolved {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (typeof value !== 'object' || value === null) return OMIT;
    const entries = Object.entries(value);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined) {
      const intrinsic = this.intrinsic(key, argument);
      if (intrinsic !== undefined) return intrinsic;
    }
    return Object.fromEntries(entries.map(([name, item]) => [name, this.resolve(item)]));
  }

  private intrinsic(key: string, argument: unknown): Resolved | undefined {
    const args = Array.isArray(argument) ? argument : [argument];
    switch (key) {
      case 'Ref':
        return this.ref(String(argument));
      case 'Condition':
        return this.condition(String(argument));
      case 'Fn::GetAtt': {
        const [logicalId, ...attribute] =
          typeof argument === 'string' ? argument.split('.') : (args as string[]);
        return this.getAtt(String(logicalId), attribute.join('.'));
      }
      case 'Fn::Sub':
        return this.sub(args[0] as string, (args[1] ?? {}) as Record<string, unknown>);
      case 'Fn::If':
        return this.condition(String(args[0])) ? this.resolve(args[1]) : this.resolve(args[2]);
      case 'Fn::Equals':
        return String(this.resolve(args[0])) === String(this.resolve(args[1]));
      case 'Fn::Not':
        return !this.truthy(args[0]);
      case 'Fn::And':
        return args.every((item) => this.truthy(item));
      case 'Fn::Or':
        return args.some((item) => this.truthy(item));
      case 'Fn::Join': {
        const parts = this.resolve(args[1]);
        return (Array.isArray(parts) ? parts : [parts]).filter((part) => part !== OMIT).join(String(args[0]));
      }
      case 'Fn::Split':
        return String(this.resolve(args[1])).split(String(args[0]));
      case 'Fn::Select': {
        const list = this.resolve(args[1]);
        return Array.isArray(list) ? (list[Number(this.resolve(args[0]))] ?? OMIT) : OMIT;
      }
      default:
        return undefined;
    }
  }

  private sub(text: string, variables: Record<string, unknown>): string {
    return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      const resolved =
        name in variables
          ? this.resolve(variables[name])
          : name.includes('.') && !name.startsWith('AWS::')
            ? this.getAtt(name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1))
            : this.ref(name);
      return resolved === OMIT ? '' : String(resolved);
    });
  }
}

function variablesOf(section: unknown): Record<string, unknown> {
  const environment = (section as { Environment?: { Variables?: Record<string, unknown> } } | undefined)
    ?.Environment;
  return environment?.Variables ?? {};
}

/** Every function in the template, with its environment resolved for the local pipeline. */
export function localFunctions(template = loadTemplate(), options: ResolveOptions = {}): LocalFunction[] {
  const resolver = new Resolver(template, options);
  const globals = template.Globals?.Function ?? {};
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
    .map(([logicalId, resource]) => {
      const props = resource.Properties ?? {};
      const raw = { ...variablesOf(globals), ...variablesOf(props) };
      const environment: Record<string, string> = {};
      for (const [name, value] of Object.entries(raw)) {
        const resolved = resolver.resolve(value);
        if (resolved !== OMIT) environment[name] = String(resolved);
      }
      const number = (key: string, fallback: number) =>
        Number(resolver.resolve(props[key] ?? globals[key] ?? fallback));
      return {
        logicalId,
        functionName: localFunctionName(logicalId),
        timeoutSeconds: number('Timeout', 3),
        memorySize: number('MemorySize', 128),
        environment,
        resource,
      };
    });
}

/** Resolves any template value (for example event source mapping properties) the same way. */
export function resolveTemplateValue(
  value: unknown,
  template = loadTemplate(),
  options: ResolveOptions = {},
) {
  return new Resolver(template, options).resolve(value);
}

/** The template's DefinitionSubstitutions of a state machine, resolved locally. */
export function definitionSubstitutions(
  logicalId: string,
  template = loadTemplate(),
  options: ResolveOptions = {},
): Record<string, string> {
  const props = template.Resources[logicalId]?.Properties ?? {};
  const resolver = new Resolver(template, options);
  const substitutions = (props.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(substitutions).map(([name, value]) => [name, String(resolver.resolve(value))]),
  );
}
