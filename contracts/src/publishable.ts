/**
 * A plain JSON copy of a schema for publication: nested `$id`s are dropped (a contract embeds
 * shared parts such as LocalizedText more than once, and JSON Schema forbids one id at two places).
 */
export function publishable(schema: unknown, root = true): unknown {
  if (Array.isArray(schema)) return schema.map((s) => publishable(s, false));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$id' && !root) continue;
    out[key] = publishable(value, false);
  }
  return out;
}
