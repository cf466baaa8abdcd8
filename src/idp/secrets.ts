import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Reads one identity record; undefined when the secret does not exist, throws on any other error. */
export function secretsManagerReader(client: Pick<SecretsManagerClient, 'send'>): (name: string) => Promise<string | undefined> {
  return async (name) => {
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: name }));
      return out.SecretString;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err;
    }
  };
}
