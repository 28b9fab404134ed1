import { hash } from 'node:crypto';

/** At most this many field digests are kept per record; a larger record is digested by top-level field. */
const MAX_FIELDS = 256;

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function digest(value: unknown): string {
  return hash('sha256', JSON.stringify(value) ?? 'undefined', 'hex').slice(0, 16);
}

function leaves(value: unknown, pointer: string, out: Record<string, string>, depth: number): void {
  if (depth > 0 && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > 0) {
      for (const [key, child] of entries) leaves(child, `${pointer}/${escapePointer(key)}`, out, depth - 1);
      return;
    }
  }
  out[pointer] = digest(value);
}

/**
 * Digests of a JSON record's fields by JSON Pointer (objects are followed, arrays and scalars are
 * leaves), kept in the ledger so that a record resent with other content can be answered with
 * the pointers of what changed. Undefined for a record that is not a JSON object (XML documents).
 */
export function fieldDigests(raw: string): Record<string, string> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const deep: Record<string, string> = {};
  leaves(value, '', deep, 8);
  if (Object.keys(deep).length <= MAX_FIELDS) return deep;
  const top: Record<string, string> = {};
  leaves(value, '', top, 1);
  return top;
}

/**
 * The pointers at which two records' digests differ (a field added, removed or changed), sorted;
 * empty when every field is the same (a record sent with its keys in another order). Undefined
 * when a side has no digests (an XML document, or a record accepted before the digests were
 * kept): what changed cannot be told.
 */
export function changedPointers(
  before: Record<string, string> | undefined | null,
  after: Record<string, string> | undefined,
): string[] | undefined {
  if (!before || !after) return undefined;
  const changed: string[] = [];
  for (const pointer of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[pointer] !== after[pointer]) changed.push(pointer);
  }
  return changed.sort();
}
