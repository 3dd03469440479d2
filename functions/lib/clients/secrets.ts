import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { traced } from '../observability';

export const secretsProvider = new SecretsProvider({
  awsSdkV3Client: traced(new SecretsManagerClient({})),
});
