import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeConfigDir, REPO_ROOT } from './helpers/config-dir';
import { runCli } from './helpers/cli';

const BIN = join(REPO_ROOT, 'bin', 'sftp-tenants.js');

const tenant = (name: string, extra = '') => `name: ${name}
description: ${name}
owner:
  email: ops@${name}.example
allowedCidrs:
  - 198.51.100.0/24
users:
  - name: ${name}-user
    passwordHash: $2b$12$C6UzMDM.H6dfI/f/IKxGhuSORQZvdCgy4E4TT6eSV9AOqD9g/2zAi
    folders:
      - path: /data
        access: read-write
${extra}`;

describe('sftp-tenants validate', () => {
  it('accepts the example tenants', async () => {
    const result = await runCli(['validate'], { cwd: REPO_ROOT });
    expect(result).toEqual({ code: 0, stdout: 'valid: 3 tenants, 5 users\n', stderr: '' });
  });

  it('reports every problem in every file, sorted, not just the first', async () => {
    const dir = makeConfigDir({
      'alpha.yaml': tenant('alpha').replace('0/24', '1/24').replace('/data', 'data'),
      'beta.yaml': tenant('beta', 'extra: 1\n'),
    });
    try {
      const result = await runCli(['validate'], { cwd: dir.root });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n').map((l) => l.split(': ').slice(0, 2).join(': '))).toEqual([
        'tenants/alpha.yaml:6:5: allowedCidrs[0]',
        'tenants/alpha.yaml:11:15: users[0].folders[0].path',
        'tenants/beta.yaml:13:1: extra',
        'error: 3 problems in 2 files; nothing was changed',
      ]);
    } finally {
      dir.cleanup();
    }
  });

  it('emits GitHub annotations under GitHub Actions', async () => {
    const dir = makeConfigDir({ 'alpha.yaml': tenant('alpha', 'extra: 1\n') });
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const result = await runCli(['validate'], { cwd: dir.root, env: { GITHUB_ACTIONS: 'true' } });
      expect(result.code).toBe(1);
      expect(written.join('')).toContain('::error title=sftp-tenants validate,file=tenants/alpha.yaml,line=13,col=1::extra: unknown field "extra"');
    } finally {
      spy.mockRestore();
      dir.cleanup();
    }
  });

  it('emits no annotations outside GitHub Actions', async () => {
    const dir = makeConfigDir({ 'alpha.yaml': tenant('alpha', 'extra: 1\n') });
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await runCli(['validate'], { cwd: dir.root, env: {} });
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      dir.cleanup();
    }
  });

  it('names a missing platform file and a missing tenants directory', async () => {
    const dir = makeConfigDir({});
    try {
      const missingPlatform = await runCli(['validate', '--platform', 'nope.yaml'], { cwd: dir.root });
      expect(missingPlatform.code).toBe(1);
      expect(missingPlatform.stderr).toContain('nope.yaml:1:1: (document): platform settings file not found');
      const missingDir = await runCli(['validate', '--dir', 'elsewhere'], { cwd: dir.root });
      expect(missingDir.code).toBe(1);
      expect(missingDir.stderr).toContain('elsewhere:1:1: (document): tenants directory not found');
    } finally {
      dir.cleanup();
    }
  });

  it('exits 2 on a usage error', async () => {
    const result = await runCli(['validate', '--bogus'], { cwd: REPO_ROOT });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
  });
});

describe('the installed command', () => {
  const node = (args: string[], cwd: string) =>
    spawnSync(process.execPath, ['--require', join(__dirname, 'support', 'no-network.js'), BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, GITHUB_ACTIONS: '' } });

  it('lists its commands with --help', () => {
    const result = node(['--help'], REPO_ROOT);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Commands:\n\s+validate/);
  });

  it('validates the examples, and rejects bad input, without opening a network connection', () => {
    expect(node(['validate'], REPO_ROOT)).toMatchObject({ status: 0, stdout: 'valid: 3 tenants, 5 users\n' });
    const dir = makeConfigDir({ 'alpha.yaml': tenant('alpha', 'extra: 1\n') });
    try {
      const bad = node(['validate'], dir.root);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('tenants/alpha.yaml:13:1: extra: unknown field "extra"');
      expect(bad.stderr).not.toContain('NETWORK CALL ATTEMPTED');
    } finally {
      dir.cleanup();
    }
  });

  it('the network guard itself works (a connection attempt is caught)', () => {
    const result = spawnSync(process.execPath, ['--require', join(__dirname, 'support', 'no-network.js'), '-e', "require('node:net').connect(9, '127.0.0.1')"], { encoding: 'utf8' });
    expect(result.status).toBe(99);
    expect(result.stderr).toContain('NETWORK CALL ATTEMPTED');
  });
});
