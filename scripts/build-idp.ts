/**
 * Bundles the identity-provider Lambda (src/idp/lambda.ts) with its dependencies, the AWS SDK
 * client included, into build/idp/index.js and a deployable build/idp/idp-lambda.zip.
 * Fails when the zip is larger than 1.5 MB.
 *
 *   npm run build:idp
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

export const IDP_ZIP_LIMIT_BYTES = 1.5 * 1024 * 1024;
const root = join(__dirname, '..');
export const IDP_OUT_DIR = join(root, 'build', 'idp');

export async function buildIdp(): Promise<{ zipPath: string; zipBytes: number; bundleBytes: number }> {
  mkdirSync(IDP_OUT_DIR, { recursive: true });
  const bundlePath = join(IDP_OUT_DIR, 'index.js');
  await build({
    entryPoints: [join(root, 'src', 'idp', 'lambda.ts')],
    outfile: bundlePath,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const code = readFileSync(bundlePath);
  // A fixed timestamp keeps the zip byte-for-byte reproducible for the same bundle.
  const zip = zipSync({ 'index.js': [code, { level: 9, mtime: new Date('2020-01-01T00:00:00Z') }] });
  const zipPath = join(IDP_OUT_DIR, 'idp-lambda.zip');
  writeFileSync(zipPath, zip);
  return { zipPath, zipBytes: statSync(zipPath).size, bundleBytes: code.length };
}

if (require.main === module) {
  buildIdp().then(
    ({ zipPath, zipBytes, bundleBytes }) => {
      const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
      console.log(`built ${zipPath}: ${kib(zipBytes)} zipped (${kib(bundleBytes)} bundle), limit ${kib(IDP_ZIP_LIMIT_BYTES)}`);
      if (zipBytes > IDP_ZIP_LIMIT_BYTES) {
        console.error('error: the identity-provider zip is over the 1.5 MB limit');
        process.exit(1);
      }
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
