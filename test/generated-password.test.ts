/** Generated passwords: created by apply, handed off in their own secret, never in any output or log. */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { resetEmulator } from '../local/emulator';
import { destroyClients, type AwsClients } from '../src/aws/clients';
import { handoffSecretName, userSecretName } from '../src/model/names';
import { parseIdentityRecord } from '../src/model/identity-record';
import { verifyPassword } from '../src/idp/passwords';
import { runCli } from './helpers/cli';
import { makeConfigDir, type ConfigDir } from './helpers/config-dir';
import { clients } from './helpers/stack';

const TENANT = `name: delta-fx
description: Delta FX - a generated password for a client that cannot use keys
owner:
  email: ops@delta.example
allowedCidrs:
  - 198.51.100.0/24
users:
  - name: delta-trader
    generatedPassword: true
    folders:
      - path: /inbound
        access: write-only
`;

let aws: AwsClients;
let dir: ConfigDir;
beforeAll(() => {
  aws = clients();
  dir = makeConfigDir({ 'delta-fx.yaml': TENANT });
});
afterAll(() => {
  destroyClients(aws);
  dir.cleanup();
});
beforeEach(() => resetEmulator(process.env.AWS_ENDPOINT_URL!));

/** Runs the CLI while capturing everything written anywhere: its streams, console and process output. */
async function captured(argv: string[]): Promise<{ code: number; all: string }> {
  const chunks: string[] = [];
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true)),
    jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true)),
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m).mockImplementation((...a: unknown[]) => void chunks.push(a.map(String).join(' ')))),
  ];
  try {
    const r = await runCli(argv, { cwd: dir.root, env: { ...process.env, NO_COLOR: '1' } });
    return { code: r.code, all: [r.stdout, r.stderr, ...chunks].join('\n') };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

const read = async (SecretId: string) => (await aws.secrets.send(new GetSecretValueCommand({ SecretId }))).SecretString!;

it('apply generates a password, stores its hash, hands it off, and never shows it; rotation replaces it', async () => {
  const outputs: string[] = [];
  const planned = await captured(['plan', '--format', 'json']);
  outputs.push(planned.all);
  expect(planned.all).toContain('(generated at apply)');

  const applied = await captured(['apply', '--auto-approve']);
  outputs.push(applied.all);
  expect(applied.code).toBe(0);

  const password = await read(handoffSecretName('sftp', 'delta-trader'));
  expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
  const record = parseIdentityRecord(await read(userSecretName('s-0a1b2c3d4e5f60718', 'delta-trader')))!;
  expect(record.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  expect(await verifyPassword(password, record.passwordHash!)).toBe(true);

  const again = await captured(['plan', '--detailed-exitcode']);
  outputs.push(again.all);
  expect(again.code).toBe(0); // the generated hash counts as the declared one: no phantom change

  const rotated = await captured(['rotate-password', 'delta-trader']);
  outputs.push(rotated.all);
  expect(rotated.code).toBe(0);
  expect(rotated.all).toContain('The new password is in secret sftp-tenants/sftp/password-handoff/delta-trader');
  const next = await read(handoffSecretName('sftp', 'delta-trader'));
  const nextRecord = parseIdentityRecord(await read(userSecretName('s-0a1b2c3d4e5f60718', 'delta-trader')))!;
  expect(next).not.toBe(password);
  expect(await verifyPassword(next, nextRecord.passwordHash!)).toBe(true);
  expect(await verifyPassword(password, nextRecord.passwordHash!)).toBe(false);

  for (const out of outputs) {
    expect(out).not.toContain(password);
    expect(out).not.toContain(next);
    expect(out).not.toContain(record.passwordHash!);
  }
});

it('refuses to rotate a user without a generated password', async () => {
  const r = await captured(['rotate-password', 'nobody']);
  expect(r.code).toBe(1);
  expect(r.all).toContain('no user nobody is declared');
});
