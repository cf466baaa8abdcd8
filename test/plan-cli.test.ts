/** The plan command end to end (in-process) against the emulator: exit codes, formats, --out, --verbose, no secrets. */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli';
import { REPO_ROOT } from './helpers/config-dir';
import { loadExamples } from './helpers/examples';
import { apply } from './helpers/stack';
import { resetEmulator } from '../local/emulator';

const env = () => ({ ...process.env, NO_COLOR: '1' });

describe('sftp-tenants plan', () => {
  beforeEach(() => resetEmulator(process.env.AWS_ENDPOINT_URL!));

  it('exits 2 with --detailed-exitcode when there are changes, then 0 once applied', async () => {
    const before = await runCli(['plan', '--detailed-exitcode'], { cwd: REPO_ROOT, env: env() });
    expect(before.code).toBe(2);
    expect(before.stdout).toContain('Plan: 17 to add, 0 to change, 0 to destroy, 0 blocked.');
    await apply(await loadExamples());
    const after = await runCli(['plan', '--detailed-exitcode'], { cwd: REPO_ROOT, env: env() });
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('No changes.');
  });

  it('writes JSON with --out, counts calls with --verbose, and shows no secret in any format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    try {
      const { tenants } = await loadExamples();
      const secrets = tenants.flatMap((t) => t.tenant.users.flatMap((u) => [u.passwordHash, ...(u.publicKeys ?? []).map((k) => k.split(' ')[1])])).filter((x): x is string => !!x);
      expect(secrets.length).toBeGreaterThan(4);
      const out = join(dir, 'plan.json');
      const text = await runCli(['plan', '--verbose', '--out', out], { cwd: REPO_ROOT, env: env() });
      expect(text.stderr).toMatch(/AWS calls: \d+ \([\d.]+ per tenant\)/);
      const md = await runCli(['plan', '--format', 'markdown'], { cwd: REPO_ROOT, env: env() });
      const json = await runCli(['plan', '--format', 'json'], { cwd: REPO_ROOT, env: env() });
      const saved = readFileSync(out, 'utf8');
      expect(JSON.parse(saved)).toMatchObject({ format_version: 1, summary: { add: 17 } });
      for (const output of [text.stdout, md.stdout, json.stdout, saved]) for (const s of secrets) expect(output).not.toContain(s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown format before reading AWS', async () => {
    const result = await runCli(['plan', '--format', 'yaml'], { cwd: REPO_ROOT, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown --format yaml');
  });
});
