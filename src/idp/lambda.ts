/**
 * The deployable Lambda entry points (bundled by scripts/build-idp.ts):
 *   index.handler      identity provider type AWS_LAMBDA (Transfer invokes the function directly)
 *   index.apiHandler   behind API Gateway (GET /servers/{serverId}/users/{username}/config)
 * Environment: IDP_CACHE_TTL_SECONDS (default 30, at most 60), IDP_CACHE_MAX_ENTRIES (default 1000),
 * IDP_PASSWORD_FLOOR_MS (default 400: the least time any password answer takes; keep it above the
 * slowest hash verification at the function's memory size, see bench/idp.ts).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { TransferResponse } from './authenticate';
import { apiGatewayResponse, apiGatewayToAuthRequest, createIdp, DEFAULT_PASSWORD_FLOOR_MS, toAuthRequest, type TransferLambdaEvent } from './handler';
import { verifyPassword } from './passwords';
import { secretsManagerReader } from './secrets';

const secrets = new SecretsManagerClient({ retryMode: 'standard', maxAttempts: 3 });

const idp = createIdp({
  verifyPassword,
  cacheTtlMs: Number(process.env.IDP_CACHE_TTL_SECONDS ?? 30) * 1000,
  cacheMaxEntries: Number(process.env.IDP_CACHE_MAX_ENTRIES ?? 1000),
  passwordFloorMs: Number(process.env.IDP_PASSWORD_FLOOR_MS ?? DEFAULT_PASSWORD_FLOOR_MS),
  readSecret: secretsManagerReader(secrets),
});

export function handler(event: TransferLambdaEvent): Promise<TransferResponse> {
  return idp.authenticate(toAuthRequest(event));
}

export async function apiHandler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return apiGatewayResponse(await idp.authenticate(apiGatewayToAuthRequest(event)));
}
