/**
 * The identity provider against the emulator's Secrets Manager, with identity records built from
 * the example tenants by the same code that apply uses (buildIdentityRecord).
 */
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createClients, destroyClients, type AwsClients } from '../src/aws/clients';
import { parseExpiry } from '../src/config/schema';
import { buildIdentityRecord, serialiseIdentityRecord } from '../src/model/identity-record';
import { userSecretName } from '../src/model/names';
import { createIdp, apiGatewayResponse, apiGatewayToAuthRequest, type AuthLogLine } from '../src/idp/handler';
import type { AuthRequest } from '../src/idp/authenticate';
import { verifyPassword } from '../src/idp/passwords';
import { secretsManagerReader } from '../src/idp/secrets';
import { EXAMPLE_PASSWORDS, loadExamples } from './helpers/examples';
import type { Config } from '../src/config/load';

let aws: AwsClients;
let config: Config;
let serverId: string;
const NOW = new Date('2026-12-01T12:00:00Z');

beforeAll(async () => {
  aws = createClients({ region: 'eu-west-2' });
  config = await loadExamples();
  serverId = config.platform.serverId;
  for (const { tenant } of config.tenants) {
    const key = await aws.kms.send(new CreateKeyCommand({ Description: tenant.name }));
    for (const user of tenant.users) {
      const record = buildIdentityRecord(config.platform, tenant, user, key.KeyMetadata!.Arn!, user.expires ? parseExpiry(user.expires) : undefined);
      await aws.secrets.send(new CreateSecretCommand({ Name: userSecretName(serverId, user.name), SecretString: serialiseIdentityRecord(record) }));
    }
  }
});
afterAll(() => destroyClients(aws));

function makeIdp(opts: { now?: () => Date; reader?: (name: string) => Promise<string | undefined>; passwordFloorMs?: number } = {}) {
  const logs: string[] = [];
  const reads: string[] = [];
  const reader = opts.reader ?? secretsManagerReader(aws.secrets);
  const idp = createIdp({
    verifyPassword,
    now: opts.now ?? (() => NOW),
    log: (line) => logs.push(line),
    // The floor is tested on its own below; here it would only slow the suite down.
    passwordFloorMs: opts.passwordFloorMs ?? 0,
    readSecret: (name) => {
      reads.push(name);
      return reader(name);
    },
  });
  return { idp, logs, reads };
}

const req = (over: Partial<AuthRequest>): AuthRequest => ({ username: 'harbor.collateral', protocol: 'SFTP', serverId, sourceIp: '203.0.113.17', ...over });

describe('password logins', () => {
  it('admits the migrated bcrypt user with the right password, without PublicKeys', async () => {
    const { idp } = makeIdp();
    const res = await idp.authenticate(req({ password: EXAMPLE_PASSWORDS['harbor.collateral'] }));
    expect(res.Role).toBe('arn:aws:iam::123456789012:role/sftp-tenant-harbor-asset-mgmt');
    expect(res.HomeDirectoryType).toBe('LOGICAL');
    expect(JSON.parse(res.HomeDirectoryDetails!)).toEqual([
      { Entry: '/inbound', Target: '/sftp-harbor-asset-mgmt-123456789012/inbound' },
      { Entry: '/outbound', Target: '/sftp-harbor-asset-mgmt-123456789012/outbound' },
    ]);
    expect(JSON.parse(res.Policy!).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['ListFolders', 'ReadObjects', 'WriteObjects', 'UseTenantKey']);
    expect(res.Policy!.length).toBeLessThanOrEqual(2048);
    expect(res).not.toHaveProperty('PublicKeys');
    expect(res).not.toHaveProperty('HomeDirectory');
  });

  it('refuses the bcrypt user with a wrong password', async () => {
    const { idp } = makeIdp();
    expect(await idp.authenticate(req({ password: 'demo-only-password-X' }))).toEqual({});
  });

  it('admits and refuses the argon2id user', async () => {
    const { idp } = makeIdp();
    const ok = await idp.authenticate(req({ username: 'meridian-ops', sourceIp: '192.0.2.10', password: EXAMPLE_PASSWORDS['meridian-ops'] }));
    expect(ok.Role).toBe('arn:aws:iam::123456789012:role/sftp-tenant-meridian-capital');
    expect(ok).not.toHaveProperty('PublicKeys'); // this user also has a key: still none in a password answer
    expect(await idp.authenticate(req({ username: 'meridian-ops', sourceIp: '192.0.2.10', password: 'nope' }))).toEqual({});
  });

  it('refuses a password login for a key-only user', async () => {
    const { idp, logs } = makeIdp();
    expect(await idp.authenticate(req({ username: 'northwind-upload', sourceIp: '198.51.100.1', password: 'anything' }))).toEqual({});
    expect(JSON.parse(logs[0]!)).toMatchObject({ outcome: 'deny', reason: 'no-password' });
  });

  it('treats usernames case-insensitively', async () => {
    const { idp } = makeIdp();
    expect((await idp.authenticate(req({ username: 'Harbor.Collateral', password: EXAMPLE_PASSWORDS['harbor.collateral'] }))).Role).toBeDefined();
  });
});

describe('key logins', () => {
  it('returns the public keys for a key login (no password, or an empty one)', async () => {
    const { idp } = makeIdp();
    const risk = config.tenants.find((t) => t.tenant.name === 'meridian-capital')!.tenant.users.find((u) => u.name === 'meridian-risk')!;
    for (const password of [undefined, '']) {
      const res = await idp.authenticate(req({ username: 'meridian-risk', sourceIp: '192.0.2.40', password }));
      expect(res.PublicKeys).toEqual(risk.publicKeys);
      expect(res.Role).toBe('arn:aws:iam::123456789012:role/sftp-tenant-meridian-capital');
    }
  });

  it('refuses a key login for a password-only user', async () => {
    const { idp, logs } = makeIdp();
    expect(await idp.authenticate(req({}))).toEqual({});
    expect(JSON.parse(logs[0]!)).toMatchObject({ method: 'publickey', reason: 'no-public-keys' });
  });
});

describe('source addresses and expiry', () => {
  it.each([
    ['IPv4 inside the user allowlist', 'meridian-risk', '192.0.2.40', true],
    ['IPv4 inside the tenant but outside the user allowlist', 'meridian-risk', '192.0.2.10', false],
    ['IPv4 elsewhere', 'meridian-ops', '10.0.0.1', false],
    ['IPv6 inside the tenant allowlist', 'meridian-ops', '2001:db8:4d::17', true],
    ['IPv6 elsewhere', 'meridian-ops', '2001:db8:4e::17', false],
    ['IPv4-mapped IPv6 inside', 'meridian-ops', '::ffff:192.0.2.10', true],
    ['not an address', 'meridian-ops', 'localhost', false],
  ])('%s', async (_name, username, sourceIp, allowed) => {
    const { idp, logs } = makeIdp();
    const res = await idp.authenticate(req({ username, sourceIp }));
    expect(res.Role !== undefined).toBe(allowed);
    if (!allowed) expect(JSON.parse(logs[0]!)).toMatchObject({ reason: 'source-ip-denied' });
  });

  it('admits a time-boxed user before its expiry and refuses it after', async () => {
    const login = (now: Date) => makeIdp({ now: () => now }).idp.authenticate(req({ username: 'meridian-audit@example.com', sourceIp: '192.0.2.5' }));
    expect((await login(new Date('2027-12-30T23:59:59Z'))).Role).toBeDefined();
    expect(await login(new Date('2027-12-31T00:00:00Z'))).toEqual({});
  });
});

describe('failures answer {}', () => {
  it('for an unknown user, with and without a password', async () => {
    const { idp, logs } = makeIdp();
    expect(await idp.authenticate(req({ username: 'nobody-here', password: 'x' }))).toEqual({});
    expect(await idp.authenticate(req({ username: 'nobody-here' }))).toEqual({});
    expect(logs.map((l) => JSON.parse(l).reason)).toEqual(['unknown-user', 'unknown-user']);
  });

  it('for a malformed record and for a record naming another user', async () => {
    await aws.secrets.send(new CreateSecretCommand({ Name: userSecretName(serverId, 'broken-json'), SecretString: '{"version":1,' }));
    await aws.secrets.send(new CreateSecretCommand({ Name: userSecretName(serverId, 'missing-role'), SecretString: JSON.stringify({ version: 1, username: 'missing-role' }) }));
    const copied = JSON.parse(serialiseIdentityRecord(buildIdentityRecord(config.platform, config.tenants[0]!.tenant, config.tenants[0]!.tenant.users[0]!, 'arn:aws:kms:eu-west-2:123456789012:key/x')));
    await aws.secrets.send(new CreateSecretCommand({ Name: userSecretName(serverId, 'copied-record'), SecretString: JSON.stringify(copied) }));
    const { idp, logs } = makeIdp();
    for (const username of ['broken-json', 'missing-role', 'copied-record']) {
      expect(await idp.authenticate(req({ username, sourceIp: '203.0.113.17' }))).toEqual({});
    }
    expect(logs.map((l) => JSON.parse(l).reason)).toEqual(['malformed-record', 'malformed-record', 'malformed-record']);
  });

  it('for a Secrets Manager that cannot be reached (a real SDK error, not a mock)', async () => {
    const unreachable = new SecretsManagerClient({ region: 'eu-west-2', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const { idp, logs } = makeIdp({ reader: secretsManagerReader(unreachable) });
    expect(await idp.authenticate(req({ password: EXAMPLE_PASSWORDS['harbor.collateral'] }))).toEqual({});
    expect(JSON.parse(logs[0]!)).toMatchObject({ reason: 'lookup-error' });
    unreachable.destroy();
  });

  it('for hostile input: path tricks in the username, a bad server id', async () => {
    const { idp, reads } = makeIdp();
    for (const r of [req({ username: '../harbor.collateral' }), req({ username: 'harbor.collateral/x' }), req({ serverId: 's-0a1b2c3d4e5f60718/../x' }), req({ username: '$default$' })]) {
      expect(await idp.authenticate(r)).toEqual({});
    }
    expect(reads).toEqual([]); // rejected before any lookup
  });
});

describe('API Gateway form', () => {
  it('accepts a URL-encoded e-mail-style username and the password header in any case', async () => {
    const { idp } = makeIdp();
    const keyLogin = apiGatewayToAuthRequest({
      pathParameters: { serverId, username: 'meridian-audit%40example.com' },
      headers: {},
      queryStringParameters: { protocol: 'SFTP', sourceIp: '192.0.2.5' },
    });
    const res = apiGatewayResponse(await idp.authenticate(keyLogin));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).Role).toBe('arn:aws:iam::123456789012:role/sftp-tenant-meridian-capital');

    const passwordLogin = apiGatewayToAuthRequest({
      pathParameters: { serverId, username: 'harbor.collateral' },
      headers: { password: EXAMPLE_PASSWORDS['harbor.collateral'] },
      queryStringParameters: { protocol: 'SFTP', sourceIp: '203.0.113.17' },
    });
    const body = JSON.parse(apiGatewayResponse(await idp.authenticate(passwordLogin)).body);
    expect(body.Role).toBeDefined();
    expect(body.PublicKeys).toBeUndefined();
  });
});

describe('record cache', () => {
  it('serves a burst from one lookup, and a removed user stops working once the TTL passes', async () => {
    let now = NOW.getTime();
    const { idp, reads } = makeIdp({ now: () => new Date(now) });
    const login = () => idp.authenticate(req({ username: 'northwind-upload', sourceIp: '198.51.100.1' }));
    for (let i = 0; i < 5; i++) expect((await login()).PublicKeys).toHaveLength(1);
    expect(reads).toHaveLength(1);

    await aws.secrets.send(new DeleteSecretCommand({ SecretId: userSecretName(serverId, 'northwind-upload'), ForceDeleteWithoutRecovery: true }));
    now += 29_000;
    expect((await login()).PublicKeys).toHaveLength(1); // still cached
    now += 2_000;
    expect(await login()).toEqual({});
    expect(reads).toHaveLength(2);
  });
});

describe('logging', () => {
  it('writes one JSON line per attempt with no password, hash, key body or policy', async () => {
    const { idp, logs } = makeIdp();
    const secrets = [EXAMPLE_PASSWORDS['harbor.collateral'], EXAMPLE_PASSWORDS['meridian-ops'], 'wrong-password-123'];
    await idp.authenticate(req({ password: secrets[0] }));
    await idp.authenticate(req({ password: secrets[2] }));
    await idp.authenticate(req({ username: 'meridian-ops', sourceIp: '192.0.2.10', password: secrets[1] }));
    await idp.authenticate(req({ username: 'meridian-risk', sourceIp: '192.0.2.40' }));
    await idp.authenticate(req({ username: 'nobody-here', password: secrets[2] }));
    expect(logs).toHaveLength(5);
    const forbidden = [...secrets];
    for (const { tenant } of config.tenants) {
      for (const user of tenant.users) {
        if (user.passwordHash) forbidden.push(user.passwordHash, user.passwordHash.slice(-20));
        for (const key of user.publicKeys ?? []) forbidden.push(key.split(' ')[1]!.slice(20, 60));
      }
    }
    forbidden.push('"Statement"', 'Role');
    for (const line of logs) {
      const parsed = JSON.parse(line) as AuthLogLine;
      expect(Object.keys(parsed).sort()).toEqual(['durationMs', 'event', 'method', 'outcome', 'protocol', 'reason', 'serverId', 'sourceIp', 'username']);
      for (const bad of forbidden) expect(line).not.toContain(bad);
    }
    expect(logs.map((l) => (JSON.parse(l) as AuthLogLine).reason)).toEqual(['ok', 'bad-password', 'ok', 'ok', 'unknown-user']);
  });
});

describe('password answer floor', () => {
  it('pads every password answer to the floor, and leaves key answers alone', async () => {
    const sleeps: number[] = [];
    let t = 0;
    const idp = createIdp({
      verifyPassword,
      readSecret: secretsManagerReader(aws.secrets),
      now: () => NOW,
      log: () => undefined,
      passwordFloorMs: 400,
      monotonicMs: () => t, // time stands still: each password answer must sleep the whole floor
      sleep: (ms) => {
        sleeps.push(ms);
        t += ms;
        return Promise.resolve();
      },
    });
    await idp.authenticate(req({ password: EXAMPLE_PASSWORDS['harbor.collateral'] })); // ok
    await idp.authenticate(req({ username: 'meridian-ops', sourceIp: '192.0.2.10', password: 'wrong' })); // bad password
    await idp.authenticate(req({ username: 'nobody-here', password: 'wrong' })); // unknown user
    await idp.authenticate(req({ username: 'meridian-risk', sourceIp: '192.0.2.40' })); // key login
    expect(sleeps).toEqual([400, 400, 400]);
  });
});
