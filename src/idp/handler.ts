/**
 * The identity provider around authenticate(): a short-lived record cache, one structured log line
 * per attempt, and the two event shapes Transfer Family uses (Lambda direct and API Gateway).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { authenticate, type AuthDeps, type AuthRequest, type Outcome, type TransferResponse } from './authenticate';
import { TtlCache } from './cache';

export interface IdpOptions {
  readSecret: AuthDeps['readSecret'];
  verifyPassword: AuthDeps['verifyPassword'];
  now?: () => Date;
  /** One JSON line per attempt. */
  log?: (line: string) => void;
  /** At most 60 s, so that a removed user stops working within a minute. */
  cacheTtlMs?: number;
  cacheMaxEntries?: number;
  /**
   * Every password attempt, whatever its outcome, takes at least this long. The dummy verification
   * for unknown users costs what a bcrypt-12 hash costs, but an argon2id user's wrong password costs
   * far less (about 100 ms against 280 ms here), which would tell an attacker that the user exists.
   * Padding all password answers to one floor above the slowest hash in use hides that.
   */
  passwordFloorMs?: number;
  /** Injected for tests: a monotonic clock in ms and a sleep. */
  monotonicMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_PASSWORD_FLOOR_MS = 400;

export const MAX_CACHE_TTL_MS = 60_000;

export interface AuthLogLine {
  event: 'sftp-auth';
  username: string;
  serverId: string;
  sourceIp: string;
  protocol: string;
  method: 'password' | 'publickey';
  outcome: 'allow' | 'deny';
  reason: Outcome;
  durationMs: number;
}

export interface Idp {
  authenticate(req: AuthRequest): Promise<TransferResponse>;
}

export function createIdp(opts: IdpOptions): Idp {
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? ((line: string) => console.log(line));
  const ttl = Math.min(opts.cacheTtlMs ?? 30_000, MAX_CACHE_TTL_MS);
  // null records "no such secret": a burst of guesses at one unknown name costs one lookup too.
  const cache = new TtlCache<string | null>(opts.cacheMaxEntries ?? 1000, ttl, () => now().getTime());

  const deps: AuthDeps = {
    now,
    verifyPassword: opts.verifyPassword,
    async readSecret(name) {
      const hit = cache.get(name);
      if (hit !== undefined) return hit ?? undefined;
      const text = await opts.readSecret(name); // errors are not cached
      cache.set(name, text ?? null);
      return text;
    },
  };

  const monotonicMs = opts.monotonicMs ?? (() => performance.now());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const floorMs = opts.passwordFloorMs ?? DEFAULT_PASSWORD_FLOOR_MS;

  return {
    async authenticate(req) {
      const started = monotonicMs();
      const result = await authenticate(req, deps);
      if (result.method === 'password') {
        const elapsed = monotonicMs() - started;
        if (elapsed < floorMs) await sleep(floorMs - elapsed);
      }
      // Only these fields: never the password, the hash, a key body or the response policy.
      const line: AuthLogLine = {
        event: 'sftp-auth',
        username: String(req.username).slice(0, 128),
        serverId: String(req.serverId).slice(0, 64),
        sourceIp: String(req.sourceIp).slice(0, 64),
        protocol: String(req.protocol).slice(0, 16),
        method: result.method,
        outcome: result.outcome === 'ok' ? 'allow' : 'deny',
        reason: result.outcome,
        durationMs: Math.round((monotonicMs() - started) * 100) / 100,
      };
      log(JSON.stringify(line));
      return result.response;
    },
  };
}

/** Lambda-direct form (identity provider type AWS_LAMBDA): the event is the request itself. */
export interface TransferLambdaEvent {
  username?: string;
  password?: string;
  protocol?: string;
  serverId?: string;
  sourceIp?: string;
}

export function toAuthRequest(event: TransferLambdaEvent): AuthRequest {
  return {
    username: typeof event.username === 'string' ? event.username : '',
    password: typeof event.password === 'string' ? event.password : undefined,
    protocol: typeof event.protocol === 'string' ? event.protocol : '',
    serverId: typeof event.serverId === 'string' ? event.serverId : '',
    sourceIp: typeof event.sourceIp === 'string' ? event.sourceIp : '',
  };
}

function header(headers: APIGatewayProxyEvent['headers'] | null | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === wanted && typeof value === 'string') return value;
  return undefined;
}

function decode(value: string | undefined): string {
  if (value === undefined) return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // not valid percent-encoding: leave it; the username check rejects what it must
  }
}

/**
 * API Gateway form: GET /servers/{serverId}/users/{username}/config, the password in a `Password`
 * header, protocol and sourceIp as query parameters. Usernames may arrive URL-encoded
 * (`alice%40example.com`).
 */
export function apiGatewayToAuthRequest(event: Pick<APIGatewayProxyEvent, 'pathParameters' | 'headers' | 'queryStringParameters'>): AuthRequest {
  return {
    username: decode(event.pathParameters?.username),
    serverId: decode(event.pathParameters?.serverId),
    password: header(event.headers, 'Password'),
    protocol: event.queryStringParameters?.protocol ?? '',
    sourceIp: event.queryStringParameters?.sourceIp ?? '',
  };
}

export function apiGatewayResponse(response: TransferResponse): APIGatewayProxyResult {
  return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(response) };
}
