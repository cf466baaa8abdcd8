/**
 * The deployable bundle: built with esbuild, under the size limit, and working on its own (no
 * node_modules) against the emulator through both entry points.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { unzipSync } from 'fflate';
import { buildIdp, IDP_ZIP_LIMIT_BYTES } from '../scripts/build-idp';
import { createClients, destroyClients } from '../src/aws/clients';
import { buildIdentityRecord, serialiseIdentityRecord } from '../src/model/identity-record';
import { userSecretName } from '../src/model/names';
import { EXAMPLE_PASSWORDS, loadExamples } from './helpers/examples';

jest.setTimeout(60_000);

it('bundles into a zip under 1.5 MB that answers logins without node_modules', async () => {
  const built = await buildIdp();
  expect(built.zipBytes).toBeLessThanOrEqual(IDP_ZIP_LIMIT_BYTES);
  const files = unzipSync(readFileSync(built.zipPath));
  expect(Object.keys(files)).toEqual(['index.js']);

  const config = await loadExamples();
  const harbor = config.tenants.find((t) => t.tenant.name === 'harbor-asset-mgmt')!.tenant;
  const aws = createClients({ region: 'eu-west-2' });
  const record = buildIdentityRecord(config.platform, harbor, harbor.users[0]!, 'arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000001');
  await aws.secrets.send(new CreateSecretCommand({ Name: userSecretName(config.platform.serverId, 'harbor.collateral'), SecretString: serialiseIdentityRecord(record) }));
  destroyClients(aws);

  // Run the unzipped bundle from a directory with no node_modules anywhere above it.
  const dir = mkdtempSync(join(tmpdir(), 'idp-bundle-'));
  try {
    const bundle = join(dir, 'index.js');
    copyFileSync(join(built.zipPath, '..', 'index.js'), bundle);
    const script = `
      const m = require(${JSON.stringify(bundle)});
      (async () => {
        const direct = await m.handler({ username: 'harbor.collateral', password: process.env.PW, protocol: 'SFTP', serverId: '${config.platform.serverId}', sourceIp: '203.0.113.17' });
        const wrong = await m.handler({ username: 'harbor.collateral', password: 'wrong', protocol: 'SFTP', serverId: '${config.platform.serverId}', sourceIp: '203.0.113.17' });
        const api = await m.apiHandler({ pathParameters: { serverId: '${config.platform.serverId}', username: 'harbor.collateral' }, headers: { Password: process.env.PW }, queryStringParameters: { protocol: 'SFTP', sourceIp: '203.0.113.17' } });
        process.stdout.write(JSON.stringify({ direct, wrong, api }));
      })();`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: dir, env: { ...process.env, PW: EXAMPLE_PASSWORDS['harbor.collateral'], NODE_PATH: '' }, encoding: 'utf8' });
    const lastLine = out.trim().split('\n').pop()!;
    const { direct, wrong, api } = JSON.parse(lastLine);
    expect(direct.Role).toBe(record.role);
    expect(direct.Policy).toBe(record.policy);
    expect(wrong).toEqual({});
    expect(api.statusCode).toBe(200);
    expect(JSON.parse(api.body).Role).toBe(record.role);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
