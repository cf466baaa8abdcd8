import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { renderJsonSchemas } from '../src/config/json-schema';
import { REPO_ROOT } from './helpers/config-dir';

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
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'tenant.schema.json'), 'utf8')));
    expect(validate(parse(text)) ? [] : validate.errors).toEqual([]);
  });

  it('platform.yaml names its schema on its first line and satisfies it', () => {
    const text = readFileSync(join(REPO_ROOT, 'platform.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=schema/platform.schema.json');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'platform.schema.json'), 'utf8')));
    expect(validate(parse(text)) ? [] : validate.errors).toEqual([]);
  });

  it('the JSON Schema rejects what editors should flag: an unknown field', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'tenant.schema.json'), 'utf8')));
    const tenant = parse(readFileSync(join(REPO_ROOT, 'tenants', exampleFiles[0]!), 'utf8'));
    expect(validate({ ...tenant, colour: 'blue' })).toBe(false);
  });
});
