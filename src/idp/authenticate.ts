/**
 * The identity provider's decision, as one pure-ish function: it receives the record reader, the
 * password verifier and the clock, and returns Transfer Family's answer plus an outcome to log.
 * Every failure answers `{}`, whatever its cause, so a client learns nothing about why.
 */
import ipaddr from 'ipaddr.js';
import { normaliseUsername, userSecretName } from '../model/names';
import { parseIdentityRecord, type IdentityRecord } from '../model/identity-record';

export interface AuthRequest {
  username: string;
  /** Absent or empty for public-key authentication. */
  password?: string | undefined;
  protocol: string;
  serverId: string;
  sourceIp: string;
}

export interface TransferResponse {
  Role?: string;
  Policy?: string;
  HomeDirectoryType?: 'LOGICAL';
  HomeDirectoryDetails?: string;
  PublicKeys?: string[];
}

export type Outcome =
  | 'ok'
  | 'bad-request'
  | 'unknown-user'
  | 'bad-password'
  | 'no-password'
  | 'no-public-keys'
  | 'source-ip-denied'
  | 'expired'
  | 'malformed-record'
  | 'lookup-error';

export interface AuthResult {
  response: TransferResponse;
  method: 'password' | 'publickey';
  outcome: Outcome;
}

export interface AuthDeps {
  /** The secret's text, or undefined when there is no such secret. Throws on any other error. */
  readSecret(name: string): Promise<string | undefined>;
  verifyPassword(password: string, hash: string): Promise<boolean>;
  now(): Date;
}

/**
 * Verified when the username is unknown (or its record unusable), so that such a login costs the
 * same as a wrong password for a real user: bcrypt, cost 12, the cost the examples and migrations
 * use. It hashes 32 random bytes that were thrown away: nothing can log in with it.
 */
export const DUMMY_HASH = '$2b$12$1KGmrcnUICyvvuAMp5yuNuNfMRUgSHqpUYtzURr3rKXqSxgVj0yi.';

const SERVER_ID = /^s-[0-9a-f]{17}$/;
const USERNAME = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{2,99}$/;

function sourceAllowed(sourceIp: string, cidrs: readonly string[]): boolean {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns an IPv4-mapped IPv6 address (::ffff:192.0.2.1) into the IPv4 address.
    address = ipaddr.process(sourceIp);
  } catch {
    return false;
  }
  return cidrs.some((text) => {
    try {
      const [range, bits] = ipaddr.parseCIDR(text);
      return range.kind() === address.kind() && (address as ipaddr.IPv4).match(range, bits);
    } catch {
      return false;
    }
  });
}

function success(record: IdentityRecord, publicKeys?: string[]): TransferResponse {
  const response: TransferResponse = {
    Role: record.role,
    Policy: record.policy,
    HomeDirectoryType: 'LOGICAL',
    HomeDirectoryDetails: JSON.stringify(record.homeDirectoryDetails),
  };
  if (publicKeys) response.PublicKeys = publicKeys;
  return response;
}

export async function authenticate(req: AuthRequest, deps: AuthDeps): Promise<AuthResult> {
  const password = req.password ?? '';
  const method = password === '' ? 'publickey' : 'password';
  const deny = (outcome: Outcome): AuthResult => ({ response: {}, method, outcome });
  // Spends the same time as a real verification, then fails.
  const burn = async (outcome: Outcome): Promise<AuthResult> => {
    if (method === 'password') await deps.verifyPassword(password, DUMMY_HASH);
    return deny(outcome);
  };

  if (!SERVER_ID.test(req.serverId) || !USERNAME.test(req.username)) return burn('bad-request');

  let text: string | undefined;
  try {
    text = await deps.readSecret(userSecretName(req.serverId, req.username));
  } catch {
    return burn('lookup-error');
  }
  if (text === undefined) return burn('unknown-user');
  const record = parseIdentityRecord(text);
  // A record for another username (a copied or mis-named secret) is as unusable as a broken one.
  if (!record || normaliseUsername(record.username) !== normaliseUsername(req.username)) return burn('malformed-record');

  // Check the credential first, whatever else fails, so that timing says nothing about the rest.
  let credentialOk: boolean;
  let failure: Outcome;
  if (method === 'password') {
    if (record.passwordHash === undefined) {
      await deps.verifyPassword(password, DUMMY_HASH);
      credentialOk = false;
      failure = 'no-password';
    } else {
      credentialOk = await deps.verifyPassword(password, record.passwordHash);
      failure = 'bad-password';
    }
  } else {
    credentialOk = record.publicKeys.length > 0;
    failure = 'no-public-keys';
  }

  if (!sourceAllowed(req.sourceIp, record.allowedCidrs)) return deny('source-ip-denied');
  if (record.expires !== undefined && deps.now().getTime() >= Date.parse(record.expires)) return deny('expired');
  if (!credentialOk) return deny(failure);
  // Keys go only to a key login: Transfer must not see them in a password answer.
  return { response: success(record, method === 'publickey' ? record.publicKeys : undefined), method, outcome: 'ok' };
}
