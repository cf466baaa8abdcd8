/**
 * The demo: the main job against the local stack. Starts the AWS emulator, then runs the CLI as a
 * user would: validate, plan, apply, plan again (nothing to do), an out-of-band change caught as
 * drift and put back, and a login through the identity provider against the records apply wrote.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DisableKeyRotationCommand, ListAliasesCommand } from '@aws-sdk/client-kms';
import SftpClient from 'ssh2-sftp-client';
import { startEmulator } from '../local/emulator';
import { startGateway } from '../local/gateway/server';
import { createClients, destroyClients } from '../src/aws/clients';
import { createIdp } from '../src/idp/handler';
import { verifyPassword } from '../src/idp/passwords';
import { secretsManagerReader } from '../src/idp/secrets';

const root = join(__dirname, '..');
const bin = join(root, 'bin', 'sftp-tenants.js');

function step(title: string): void {
  console.log(`\n\u001b[1m== ${title}\u001b[0m`);
}

function cli(args: string[], env: NodeJS.ProcessEnv, expect: number[] = [0]): void {
  console.log(`$ sftp-tenants ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, env: { ...env, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1', NODE_NO_WARNINGS: '1' }, stdio: 'inherit' });
  if (!expect.includes(r.status ?? -1)) throw new Error(`sftp-tenants ${args.join(' ')} exited ${r.status}, expected ${expect.join(' or ')}`);
  if (expect.length > 1 || expect[0] !== 0) console.log(`(exit code ${r.status})`);
}

async function main(): Promise<void> {
  step('starting the local stack (AWS API emulator on a free loopback port)');
  const emulator = await startEmulator();
  const env = { ...process.env, ...emulator.env };
  console.log(`emulator at ${emulator.endpoint}`);
  try {
    step('validate the tenant files');
    cli(['validate'], env);

    step('plan against an empty account: everything is created');
    cli(['plan', '--detailed-exitcode', '--verbose'], env, [2]);

    step('apply');
    cli(['apply', '--auto-approve'], env);

    step('plan again: live AWS matches the configuration');
    cli(['plan', '--detailed-exitcode'], env, [0]);

    step('someone turns off key rotation by hand: the plan shows the drift, apply puts it back');
    Object.assign(process.env, emulator.env);
    const aws = createClients({ region: 'eu-west-2' });
    const aliases = await aws.kms.send(new ListAliasesCommand({}));
    const keyId = aliases.Aliases!.find((a) => a.AliasName === 'alias/sftp/harbor-asset-mgmt')!.TargetKeyId!;
    await aws.kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    cli(['plan', '--detailed-exitcode'], env, [2]);
    cli(['apply', '--auto-approve'], env);

    step('a password login through the identity provider, reading the record apply wrote');
    const idp = createIdp({ verifyPassword, readSecret: secretsManagerReader(aws.secrets), log: (line) => console.log(`idp log: ${line}`) });
    const login = { username: 'harbor.collateral', protocol: 'SFTP', serverId: 's-0a1b2c3d4e5f60718', sourceIp: '203.0.113.17' };
    const ok = await idp.authenticate({ ...login, password: 'demo-only-password-1' });
    const folders = JSON.parse(ok.HomeDirectoryDetails!) as unknown[];
    console.log(`right password -> Role ${ok.Role}, ${folders.length} folders`);
    const wrong = await idp.authenticate({ ...login, password: 'not-the-password' });
    console.log(`wrong password -> ${JSON.stringify(wrong)}`);

    step('SFTP through the local gateway (behaves like Transfer Family), as the migrated password user');
    const gateway = await startGateway({
      clients: aws,
      accountId: '123456789012',
      region: 'eu-west-2',
      serverId: 's-0a1b2c3d4e5f60718',
      identityProvider: (e) => idp.authenticate(e),
      sourceIp: '203.0.113.17', // the client's allowlisted address, as the gateway reports it
    });
    const sftp = new SftpClient('demo', { error: () => undefined, end: () => undefined, close: () => undefined });
    await sftp.connect({ host: '127.0.0.1', port: gateway.port, username: 'harbor.collateral', password: 'demo-only-password-1' });
    console.log(`ls /           -> ${(await sftp.list('/')).map((e) => e.name).join(', ')}`);
    await sftp.put(Buffer.from('isin,amount\nXS0000000001,1000000\n'), '/inbound/collateral.csv');
    console.log('put /inbound/collateral.csv -> ok (write-only folder)');
    await sftp.get('/inbound/collateral.csv').then(
      () => console.log('get /inbound/collateral.csv -> allowed (unexpected!)'),
      (err: Error) => console.log(`get /inbound/collateral.csv -> refused: ${err.message.split(' ').slice(-3).join(' ')}`),
    );
    await sftp.list('/sftp-meridian-capital-123456789012').then(
      () => console.log('ls another tenant -> allowed (unexpected!)'),
      () => console.log('ls /sftp-meridian-capital-123456789012 -> no such file: other tenants do not exist for this user'),
    );
    await sftp.end();

    await gateway.close();

    destroyClients(aws);
  } finally {
    await emulator.stop();
  }
  step('the local stack as a user runs it: local up, the isolation smoke test, local down');
  cli(['local', 'up'], process.env);
  try {
    cli(['smoke', '--local'], process.env);
  } finally {
    cli(['local', 'down'], process.env);
  }
  step('done: everything is stopped');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
