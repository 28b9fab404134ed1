/** The same object without its undefined properties: optional fields stay absent, never `undefined`. */
export function compact<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== undefined) out[key] = field;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
