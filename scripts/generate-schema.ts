/**
 * Writes the JSON Schema of the platform and tenant files into schema/, for editors
 * (yaml-language-server). `npm run schema` runs it; test/schema.test.ts fails when the committed
 * files differ from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJsonSchemas } from '../src/config/json-schema';

for (const [file, text] of Object.entries(renderJsonSchemas())) {
  writeFileSync(join(__dirname, '..', 'schema', file), text);
  console.log(`wrote schema/${file}`);
}
