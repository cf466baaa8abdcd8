import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { renderJsonSchemas } from '../src/config/json-schema';
import { REPO_ROOT } from './helpers/config-dir';

/** As editors check: formats (e-mail addresses) included. */
function compile(file: string, opts: { allErrors?: boolean } = {}) {
  const ajv = new Ajv2020({ strict: false, ...opts });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema', file), 'utf8')));
}

const exampleFiles = readdirSync(join(REPO_ROOT, 'tenants')).filter((f) => f.endsWith('.yaml'));

describe('JSON Schema for editors', () => {
  it.each(Object.entries(renderJsonSchemas()))('schema/%s is up to date (run `npm run schema` if not)', (file, text) => {
    expect(readFileSync(join(REPO_ROOT, 'schema', file), 'utf8')).toBe(text);
  });

  it('there are three example tenants', () => {
    expect(exampleFiles).toHaveLength(3);
  });

  it.each(exampleFiles)('tenants/%s names its schema on its first line and satisfies it', (file) => {
    const text = readFileSync(join(REPO_ROOT, 'tenants', file), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/tenant.schema.json');
    const validate = compile('tenant.schema.json', { allErrors: true });
    expect(validate(parse(text)) ? [] : validate.errors).toEqual([]);
  });

  it('platform.yaml names its schema on its first line and satisfies it', () => {
    const text = readFileSync(join(REPO_ROOT, 'platform.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=schema/platform.schema.json');
    const validate = compile('platform.schema.json', { allErrors: true });
    expect(validate(parse(text)) ? [] : validate.errors).toEqual([]);
  });

  it('the JSON Schema rejects what editors should flag: an unknown field', () => {
    const validate = compile('tenant.schema.json');
    const tenant = parse(readFileSync(join(REPO_ROOT, 'tenants', exampleFiles[0]!), 'utf8'));
    expect(validate({ ...tenant, colour: 'blue' })).toBe(false);
  });

  it('the JSON Schema rejects an owner e-mail that is not one', () => {
    const validate = compile('tenant.schema.json');
    const tenant = parse(readFileSync(join(REPO_ROOT, 'tenants', exampleFiles[0]!), 'utf8')) as { owner: object };
    expect(validate(tenant)).toBe(true);
    expect(validate({ ...tenant, owner: { ...tenant.owner, email: 'not an address' } })).toBe(false);
  });
});
