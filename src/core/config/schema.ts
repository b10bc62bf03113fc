import type { Spec } from './spec';

type JsonSchema = Record<string, unknown>;

/** Turns the config spec into a draft-07 JSON schema (with VS Code's enumDescriptions) for completion and hovers. */
export function toJsonSchema(spec: Spec): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  const body = convert(spec, definitions);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'modelmon.json',
    // VS Code's JSON service reads these: the file is JSONC, as loadConfig parses it.
    allowComments: true,
    allowTrailingCommas: true,
    ...body,
    ...(Object.keys(definitions).length ? { definitions } : {}),
  };
}

function convert(spec: Spec, definitions: Record<string, JsonSchema>): JsonSchema {
  if (spec.definition) {
    if (!definitions[spec.definition]) definitions[spec.definition] = inline(spec, definitions);
    return { $ref: `#/definitions/${spec.definition}` };
  }
  return inline(spec, definitions);
}

function inline(spec: Spec, definitions: Record<string, JsonSchema>): JsonSchema {
  const base: JsonSchema = { description: spec.description };
  switch (spec.type) {
    case 'string':
      return strip({ ...base, type: 'string', enum: spec.enum, enumDescriptions: spec.enumDescriptions, default: spec.default, minLength: spec.nonEmpty ? 1 : undefined });
    case 'number':
    case 'integer':
      return strip({ ...base, type: spec.type, minimum: spec.minimum, maximum: spec.maximum, exclusiveMinimum: spec.exclusiveMinimum, default: spec.default });
    case 'boolean':
      return strip({ ...base, type: 'boolean', default: spec.default });
    case 'array':
      return { ...base, type: 'array', items: convert(spec.items, definitions) };
    case 'map': {
      const values = convert(spec.values, definitions);
      return strip({
        ...base,
        type: 'object',
        properties: spec.knownKeys ? Object.fromEntries(spec.knownKeys.map((k) => [k, values])) : undefined,
        additionalProperties: values,
      });
    }
    case 'object':
      return strip({
        ...base,
        type: 'object',
        properties: Object.fromEntries(Object.entries(spec.properties).map(([k, v]) => [k, convert(v, definitions)])),
        required: spec.required?.length ? spec.required : undefined,
        additionalProperties: false,
      });
    case 'union':
      return { ...base, anyOf: spec.variants.map((v) => convert(v, definitions)) };
  }
}

function strip(o: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
