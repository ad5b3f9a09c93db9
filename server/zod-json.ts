import { z } from 'zod';

/**
 * JSON Schema of the zod types our request bodies use, so /api/docs is generated from the
 * same schemas that validate requests and cannot drift from them.
 */
export function zodToJsonSchema(t: z.ZodTypeAny): Record<string, unknown> {
  const d = t._def as { typeName: string; description?: string };
  const withDesc = (s: Record<string, unknown>) => (d.description ? { ...s, description: d.description } : s);
  switch (d.typeName) {
    case 'ZodString': {
      const checks = (t as z.ZodString)._def.checks;
      const s: Record<string, unknown> = { type: 'string' };
      for (const c of checks) {
        if (c.kind === 'min') s.minLength = c.value;
        if (c.kind === 'max') s.maxLength = c.value;
        if (c.kind === 'regex') s.pattern = c.regex.source;
        if (c.kind === 'datetime') s.format = 'date-time';
      }
      return withDesc(s);
    }
    case 'ZodNumber': {
      const s: Record<string, unknown> = { type: (t as z.ZodNumber)._def.checks.some((c) => c.kind === 'int') ? 'integer' : 'number' };
      for (const c of (t as z.ZodNumber)._def.checks) {
        if (c.kind === 'min') s[c.inclusive ? 'minimum' : 'exclusiveMinimum'] = c.value;
        if (c.kind === 'max') s[c.inclusive ? 'maximum' : 'exclusiveMaximum'] = c.value;
      }
      return withDesc(s);
    }
    case 'ZodBoolean': return withDesc({ type: 'boolean' });
    case 'ZodLiteral': return withDesc({ const: (t as z.ZodLiteral<unknown>)._def.value });
    case 'ZodEnum': return withDesc({ type: 'string', enum: (t as z.ZodEnum<[string, ...string[]]>)._def.values });
    case 'ZodArray': {
      const a = t as z.ZodArray<z.ZodTypeAny>;
      const s: Record<string, unknown> = { type: 'array', items: zodToJsonSchema(a._def.type) };
      if (a._def.minLength) s.minItems = a._def.minLength.value;
      if (a._def.maxLength) s.maxItems = a._def.maxLength.value;
      return withDesc(s);
    }
    case 'ZodObject': {
      const shape = (t as z.ZodObject<z.ZodRawShape>).shape;
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const [k, v] of Object.entries(shape)) {
        properties[k] = zodToJsonSchema(v);
        if (!v.isOptional()) required.push(k);
      }
      return withDesc({ type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false });
    }
    case 'ZodOptional': return zodToJsonSchema((t as z.ZodOptional<z.ZodTypeAny>)._def.innerType);
    case 'ZodNullable': return { anyOf: [zodToJsonSchema((t as z.ZodNullable<z.ZodTypeAny>)._def.innerType), { type: 'null' }] };
    case 'ZodDefault': {
      const def = (t as z.ZodDefault<z.ZodTypeAny>)._def;
      return { ...zodToJsonSchema(def.innerType), default: def.defaultValue() };
    }
    case 'ZodEffects': return zodToJsonSchema((t as z.ZodEffects<z.ZodTypeAny>)._def.schema);
    case 'ZodUnion': return withDesc({ anyOf: (t as z.ZodUnion<[z.ZodTypeAny, ...z.ZodTypeAny[]]>)._def.options.map(zodToJsonSchema) });
    case 'ZodRecord': return withDesc({ type: 'object', additionalProperties: zodToJsonSchema((t as z.ZodRecord)._def.valueType) });
    default: return withDesc({});
  }
}
