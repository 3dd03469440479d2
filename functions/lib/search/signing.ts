import { defaultProvider } from '@aws-sdk/credential-provider-node';

export type CredentialsProvider = ReturnType<typeof defaultProvider>;

export interface SearchClientOptions {
  /** Defaults to the standard AWS chain (the Lambda role; locally AWS_ACCESS_KEY_ID and friends). */
  credentials?: CredentialsProvider;
  requestTimeoutMs?: number;
}

/** The credentials requests are signed with: the given provider, else the standard AWS chain. */
export function signingCredentials(options: SearchClientOptions): CredentialsProvider {
  return options.credentials ?? defaultProvider();
}
