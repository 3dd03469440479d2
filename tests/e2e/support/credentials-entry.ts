import { SNSClient } from '@aws-sdk/client-sns';

// Resolves the credentials a client built as the functions build theirs would sign with, and prints whose.
new SNSClient({ region: 'us-east-1' }).config.credentials().then(
  (credentials) => process.stdout.write(`resolved ${credentials.accessKeyId}`),
  (error: Error) => process.stdout.write(`failed ${error.name}: ${error.message}`),
);
