import { z } from 'zod';
import { platformSchema, tenantSchema } from './schema';

/** File name -> JSON text of each generated JSON Schema. Input shape: defaulted fields are optional. */
export function renderJsonSchemas(): Record<string, string> {
  const render = (schema: z.ZodType) =>
    `${JSON.stringify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), null, 2)}\n`;
  return {
    'platform.schema.json': render(platformSchema),
    'tenant.schema.json': render(tenantSchema),
  };
}
