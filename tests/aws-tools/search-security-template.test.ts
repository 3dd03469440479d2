// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected values are CloudFormation !Sub strings.
import { type AwsTools, describeWithAwsTools, translateTemplate } from './tools';

interface CfnResource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  Properties?: Record<string, unknown>;
}
interface CfnTemplate {
  Conditions: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
}

/** Every IAM role ARN an expression can give, whichever way its Fn::If conditions go. */
function roleArnsOf(node: unknown): unknown[] {
  if (typeof node !== 'object' || node === null) return [node];
  const record = node as Record<string, unknown>;
  if ('Fn::If' in record) return (record['Fn::If'] as unknown[]).slice(1).flatMap(roleArnsOf);
  return [node];
}

describeWithAwsTools(
  'the search domain as CloudFormation receives it (SAM translator)',
  (tools: AwsTools) => {
    let resources: Record<string, CfnResource>;
    let conditions: Record<string, unknown>;
    beforeAll(() => {
      ({ Resources: resources, Conditions: conditions } = translateTemplate(tools) as CfnTemplate);
    });

    it('never makes the indexer role the master user: the admin role given, else the security function role', () => {
      const security = resources.SearchDomain?.Properties?.AdvancedSecurityOptions as {
        MasterUserOptions: { MasterUserARN: unknown };
      };
      const masters = roleArnsOf(security.MasterUserOptions.MasterUserARN);

      expect(masters).toEqual([
        { Ref: 'OpenSearchAdminRoleArn' },
        { 'Fn::GetAtt': ['SearchSecurityFunctionRole', 'Arn'] },
      ]);
      expect(JSON.stringify(masters)).not.toContain('IndexerFunctionRole');
      // The security function's role is the one SAM generates for that function, and no other function's.
      expect(resources.SearchSecurityFunction?.Properties?.Role).toEqual({
        'Fn::GetAtt': ['SearchSecurityFunctionRole', 'Arn'],
      });
      const usedBy = Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
        .filter(([, r]) => JSON.stringify(r.Properties?.Role).includes('SearchSecurityFunctionRole'))
        .map(([id]) => id);
      expect(usedBy).toEqual(['SearchSecurityFunction']);
    });

    it('gives the custom resource the indexer role ARN, the indexer index prefix and a per-stack role name', () => {
      const custom = resources.IndexerSearchRole;
      const indexerVariables = (
        (resources.IndexerFunction?.Properties?.Environment ?? { Variables: {} }) as {
          Variables: Record<string, unknown>;
        }
      ).Variables;

      expect(custom?.Type).toBe('AWS::CloudFormation::CustomResource');
      expect(custom?.Properties).toEqual({
        ServiceToken: { 'Fn::GetAtt': ['SearchSecurityFunction', 'Arn'] },
        ServiceTimeout: expect.any(Number),
        RoleName: { 'Fn::Sub': '${AWS::StackName}-indexer' },
        IndexPrefix: indexerVariables.OPENSEARCH_INDEX_PREFIX,
        BackendRoles: [{ 'Fn::GetAtt': ['IndexerFunctionRole', 'Arn'] }],
      });
      expect(resources.IndexerFunction?.Properties?.Role).toEqual({
        'Fn::GetAtt': ['IndexerFunctionRole', 'Arn'],
      });
      // It may only run once its domain access exists, and must answer within its own timeout.
      expect(custom?.DependsOn).toEqual('SearchSecurityDomainPolicy');
      expect(Number(custom?.Properties?.ServiceTimeout)).toBeGreaterThan(
        Number(resources.SearchSecurityFunction?.Properties?.Timeout),
      );
    });

    it('creates the security function and its resources exactly when the stack creates the domain with no admin role', () => {
      const ids = Object.entries(resources)
        .filter(([, r]) => r.Condition === 'ManageSearchSecurity')
        .map(([id]) => id)
        .sort();

      expect(conditions.ManageSearchSecurity).toEqual({
        'Fn::And': [
          { Condition: 'CreateSearchDomain' },
          { 'Fn::Not': [{ Condition: 'HasSearchAdminRole' }] },
        ],
      });
      expect(ids).toEqual([
        'IndexerSearchRole',
        'SearchSecurityDomainPolicy',
        'SearchSecurityFunction',
        'SearchSecurityFunctionRole',
        'SearchSecurityLogGroup',
      ]);
    });

    it('lets the security function reach only the security API of its domain, and only to PUT and DELETE', () => {
      const role = resources.SearchSecurityFunctionRole?.Properties ?? {};
      const policy = resources.SearchSecurityDomainPolicy?.Properties as {
        Roles: unknown[];
        PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown }> };
      };

      expect(role.Policies).toBeUndefined();
      expect(policy.Roles).toEqual([{ Ref: 'SearchSecurityFunctionRole' }]);
      expect(policy.PolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: ['es:ESHttpPut', 'es:ESHttpDelete'],
          Resource: { 'Fn::Sub': '${SearchDomain.Arn}/_plugins/_security/api/*' },
        },
      ]);
    });
  },
);
