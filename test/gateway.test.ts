/**
 * The local gateway with a real SFTP client (ssh2-sftp-client) and OpenSSH's sftp: logins through
 * the identity provider, LOGICAL home directories, and every operation authorised as AWS would.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { utils } from 'ssh2';
import { resetEmulator } from '../local/emulator';
import { startGateway, type Gateway } from '../local/gateway/server';
import { destroyClients, type AwsClients } from '../src/aws/clients';
import type { Config } from '../src/config/load';
import { createIdp } from '../src/idp/handler';
import { verifyPassword } from '../src/idp/passwords';
import { secretsManagerReader } from '../src/idp/secrets';
import { makeConfigDir, type ConfigDir } from './helpers/config-dir';
import { loadConfig } from '../src/config/load';
import { apply, clients } from './helpers/stack';

const PASSWORD = 'local-gateway-test-password';
const keyPair = utils.generateKeyPairSync('ed25519');
const otherKey = utils.generateKeyPairSync('ed25519');

function tenantFile(name: string, users: string): string {
  return `name: ${name}\ndescription: ${name}\nowner:\n  email: ops@${name}.example\nallowedCidrs:\n  - 127.0.0.0/8\nusers:\n${users}`;
}

let aws: AwsClients;
let dir: ConfigDir;
let config: Config;
let gateway: Gateway;
let bcryptHash: string;

beforeAll(async () => {
  await resetEmulator(process.env.AWS_ENDPOINT_URL!);
  const { bcrypt } = await import('hash-wasm');
  bcryptHash = (await bcrypt({ password: PASSWORD, salt: Buffer.alloc(16, 7), costFactor: 10, outputType: 'encoded' })).replace(/^\$2a/, '$2b');
  dir = makeConfigDir({
    'alpha.yaml': tenantFile(
      'alpha',
      `  - name: alpha-ops\n    passwordHash: "${bcryptHash}"\n    publicKeys:\n      - ${keyPair.public}\n    folders:\n      - path: /inbound\n        access: write-only\n      - path: /outbound\n        access: read-only\n      - path: /shared/work\n        access: read-write\n`,
    ),
    'beta.yaml': tenantFile('beta', `  - name: beta-ops\n    publicKeys:\n      - ${otherKey.public}\n    folders:\n      - path: /data\n        access: read-write\n`),
  });
  const loaded = await loadConfig({ tenantsDir: dir.tenantsDir, platformFile: dir.platformFile }, { now: new Date('2026-12-01T00:00:00Z') });
  if (!loaded.config) throw new Error(JSON.stringify(loaded.problems));
  config = loaded.config;
  aws = clients();
  await apply(config);
  const idp = createIdp({ verifyPassword, readSecret: secretsManagerReader(aws.secrets), log: () => undefined, passwordFloorMs: 0 });
  gateway = await startGateway({ clients: aws, accountId: '123456789012', region: 'eu-west-2', serverId: config.platform.serverId, identityProvider: (e) => idp.authenticate(e) });
});

afterAll(async () => {
  await gateway?.close();
  destroyClients(aws);
  dir?.cleanup();
});

async function connect(username: string, auth: { password?: string; privateKey?: string }): Promise<SftpClient> {
  // The library's default listeners log every end and close to the console.
  const c = new SftpClient('gateway-test', { error: () => undefined, end: () => undefined, close: () => undefined });
  await c.connect({ host: '127.0.0.1', port: gateway.port, username, ...auth, readyTimeout: 10_000 });
  return c;
}

describe('local gateway, with ssh2-sftp-client', () => {
  it('logs in with a password and with a key; refuses a wrong password and a foreign key', async () => {
    await (await connect('alpha-ops', { password: PASSWORD })).end();
    await (await connect('alpha-ops', { privateKey: keyPair.private })).end();
    await expect(connect('alpha-ops', { password: 'wrong' })).rejects.toThrow();
    await expect(connect('alpha-ops', { privateKey: otherKey.private })).rejects.toThrow();
    await expect(connect('beta-ops', { privateKey: keyPair.private })).rejects.toThrow();
  });

  it('shows only the mapped folders at the root, and nothing escapes it', async () => {
    const c = await connect('alpha-ops', { privateKey: keyPair.private });
    try {
      expect((await c.list('/')).map((e) => e.name).sort()).toEqual(['inbound', 'outbound', 'shared']);
      expect((await c.list('/shared')).map((e) => e.name)).toEqual(['work']);
      expect(await c.realPath('/../../etc')).toBe('/etc');
      await expect(c.list('/sftp-beta-123456789012')).rejects.toThrow(/No such file/);
      await expect(c.get('/../sftp-beta-123456789012/data/x')).rejects.toThrow();
    } finally {
      await c.end();
    }
  });

  it('enforces folder access: upload to write-only, no download from it; read-only refuses uploads; read-write does all', async () => {
    const c = await connect('alpha-ops', { privateKey: keyPair.private });
    try {
      await c.put(Buffer.from('trade,1\n'), '/inbound/trades.csv');
      await expect(c.get('/inbound/trades.csv')).rejects.toThrow(/Permission denied|denied/i);
      await expect(c.put(Buffer.from('x'), '/outbound/x.csv')).rejects.toThrow(/Permission denied|denied/i);
      await c.put(Buffer.from('hello'), '/shared/work/a.txt');
      expect(((await c.get('/shared/work/a.txt')) as Buffer).toString()).toBe('hello');
      await c.rename('/shared/work/a.txt', '/shared/work/b.txt');
      expect((await c.list('/shared/work')).map((e) => e.name)).toEqual(['b.txt']);
      await c.delete('/shared/work/b.txt');
      await c.mkdir('/shared/work/sub');
      expect((await c.list('/shared/work')).map((e) => [e.name, e.type])).toEqual([['sub', 'd']]);
      await c.put(Buffer.from('x'), '/shared/work/sub/x.txt');
      await expect(c.rmdir('/shared/work/sub')).rejects.toThrow(); // not empty
      await c.delete('/shared/work/sub/x.txt');
      await c.rmdir('/shared/work/sub');
      expect(await c.list('/shared/work')).toEqual([]);
      await expect(c.mkdir('/outbound/new')).rejects.toThrow(/denied/i);
      await expect(c.delete('/inbound/trades.csv')).rejects.toThrow(/denied/i);
    } finally {
      await c.end();
    }
  });
});

describe("local gateway, with OpenSSH's sftp", () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'openssh-'));
    writeFileSync(join(work, 'id'), keyPair.private, { mode: 0o600 });
    writeFileSync(join(work, 'askpass'), `#!/bin/sh\necho '${PASSWORD}'\n`);
    chmodSync(join(work, 'askpass'), 0o700);
    writeFileSync(join(work, 'upload.txt'), 'uploaded by openssh\n');
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  // Asynchronous on purpose: the gateway runs in this process and must keep answering.
  const sftp = (args: string[], commands: string, env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolveRun) => {
      const child = spawn('sftp', ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-P', String(gateway.port), ...args], {
        cwd: work,
        env: { ...process.env, ...env },
        timeout: 30_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolveRun({ status, stdout, stderr }));
      child.stdin.end(commands);
    });

  it('logs in with a key, uploads and lists', async () => {
    const r = await sftp(['-o', 'PasswordAuthentication=no', '-i', join(work, 'id'), 'alpha-ops@127.0.0.1'], 'put upload.txt /shared/work/openssh.txt\nls /shared/work\n');
    expect(r.stderr).not.toMatch(/denied|error/i);
    expect(r.stdout).toContain('openssh.txt');
    expect(r.status).toBe(0);
  });

  it('logs in with a password', async () => {
    const r = await sftp(['-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password', 'alpha-ops@127.0.0.1'], 'ls /\n', {
      SSH_ASKPASS: join(work, 'askpass'),
      SSH_ASKPASS_REQUIRE: 'force',
      DISPLAY: ':0',
    });
    expect(r.stdout).toMatch(/inbound\s+outbound\s+shared|inbound[\s\S]*outbound[\s\S]*shared/);
    expect(r.status).toBe(0);
  });
});


describe('local gateway authorises every layer', () => {
  it('refuses reading a file once the key policy no longer admits the role, though S3 policies still allow it', async () => {
    const { GetKeyPolicyCommand, PutKeyPolicyCommand, ListAliasesCommand } = await import('@aws-sdk/client-kms');
    const c = await connect('alpha-ops', { privateKey: keyPair.private });
    try {
      await c.put(Buffer.from('kms'), '/shared/work/k.txt');
      expect(((await c.get('/shared/work/k.txt')) as Buffer).toString()).toBe('kms');
      const alias = (await aws.kms.send(new ListAliasesCommand({}))).Aliases!.find((a) => a.AliasName === 'alias/sftp/alpha')!;
      const KeyId = alias.TargetKeyId!;
      const original = (await aws.kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }))).Policy!;
      const doc = JSON.parse(original);
      doc.Statement = doc.Statement.filter((s: { Sid?: string }) => s.Sid !== 'TenantRoleUsesKeyThroughS3');
      await aws.kms.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: JSON.stringify(doc) }));
      await new Promise((r) => setTimeout(r, 1100)); // the gateway caches policies for a second
      await expect(c.get('/shared/work/k.txt')).rejects.toThrow(/Permission denied/);
      await aws.kms.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: original }));
    } finally {
      await c.end();
    }
  });
});

describe('layout', () => {
  it('src/ never imports the local tooling', () => {
    const root = join(__dirname, '..', 'src');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((f) => /(from\s+|require\()['"](\.\.\/)+local\//.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
