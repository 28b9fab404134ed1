import type { RecordIssue } from './outcome.ts';

/**
 * A digest of each field of a JSON record, by JSON Pointer (RFC 6901): objects are followed,
 * arrays and scalars are fields. The ledger keeps these for each accepted record, never the
 * values (the raw record stays on Kafka, as in the hub's projection), so that a record resent
 * under its source id with other content can be answered with the pointers of what changed.
 */
export type FieldDigests = Record<string, string>;

/** More fields than this (a record with a free-form object of thousands of keys) are digested by top-level field. */
export const MAX_DIGESTED_FIELDS = 256;

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** JSON with the keys of every object sorted: arrays of objects digest alike whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  const keys = Object.keys(value).sort();
  const record = value as Record<string, unknown>;
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

/**
 * 53 bits of cyrb53 (a public-domain string hash) of a value, typed so that "1" and 1 differ.
 * Not cryptographic, and it needs not be: whether a record changed at all is decided by the
 * SHA-256 of the whole record; these only name the fields that did. A collision leaves one
 * changed field unnamed (odds 2^-53), and the first state is kept whatever is named. Computed
 * for every accepted record, so it is cheap: one pass over the characters, no call to OpenSSL
 * per field (that cost 3 times as much).
 */
export function valueDigest(value: unknown): string {
  const text =
    typeof value === 'string'
      ? `s${value}`
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : canonicalJson(value);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (h2 & 0x1fffff) + (h1 >>> 0)).toString(36);
}

/** Puts the digest of each field below `pointer` into `out`; false as soon as there are more than `max`. */
function collect(
  value: unknown,
  pointer: string,
  out: Map<string, string>,
  depth: number,
  max: number,
): boolean {
  if (depth > 0 && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length > 0) {
      return entries.every(([key, child]) =>
        collect(child, `${pointer}/${escapePointer(key)}`, out, depth - 1, max),
      );
    }
  }
  out.set(pointer, valueDigest(value));
  return out.size <= max;
}

/**
 * The field digests of a record given as its JSON text (what the ingest kit keeps as `raw`);
 * undefined when it is no JSON object (an XML document). Nesting is bounded by the body's own
 * limit (64 levels); a record of more than MAX_DIGESTED_FIELDS fields is digested by top-level
 * field, and one with more top-level fields than that as a whole (pointer '').
 */
export function fieldDigests(raw: string): FieldDigests | undefined {
  if (!raw.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  for (const depth of [64, 1]) {
    const out = new Map<string, string>();
    if (collect(value, '', out, depth, MAX_DIGESTED_FIELDS)) return Object.fromEntries(out);
  }
  return { '': valueDigest(value) };
}

export interface ChangedField {
  pointer: string;
  /** The field's value differs, the field is new, or it was there and is not any more. */
  change: 'changed' | 'added' | 'removed';
}

/**
 * The fields in which a record differs from the one accepted first, in pointer order; empty when
 * none does (the same fields in another key order). Undefined when either side has no digests
 * (an XML document, or a record accepted before the ledger kept them): what changed cannot be told.
 */
export function changedFields(
  first: FieldDigests | null | undefined,
  again: FieldDigests | undefined,
): ChangedField[] | undefined {
  if (!first || !again) return undefined;
  const changed: ChangedField[] = [];
  for (const pointer of new Set([...Object.keys(first), ...Object.keys(again)])) {
    const [before, after] = [first[pointer], again[pointer]];
    if (before === after) continue;
    changed.push({
      pointer,
      change: before === undefined ? 'added' : after === undefined ? 'removed' : 'changed',
    });
  }
  return changed.sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
}

/** What a record is, set against the state first accepted under its source id. */
export type ResendVerdict =
  | { kind: 'accepted' }
  | { kind: 'duplicate'; sameContent: boolean }
  | { kind: 'conflict'; changes: ChangedField[] };

/** The state first accepted under a source id: its content hash and, when kept, its field digests. */
export interface FirstState {
  hash: Buffer;
  fields?: FieldDigests | null | undefined;
}

/**
 * Given the state first accepted under a record's source id (undefined: this record is that
 * state, claimed now), what the record is. The same content is a duplicate; other fields are
 * a conflict naming them (the first state is kept: no correction is ever taken silently). A
 * record whose changes cannot be named (no digests on either side) stays a duplicate, with
 * `sameContent: false`.
 */
export function resendVerdict(
  record: { hash: Buffer; fields?: FieldDigests | undefined },
  first: FirstState | undefined,
): ResendVerdict {
  if (first === undefined) return { kind: 'accepted' };
  if (first.hash.equals(record.hash)) return { kind: 'duplicate', sameContent: true };
  const changes = changedFields(first.fields, record.fields);
  if (changes === undefined) return { kind: 'duplicate', sameContent: false };
  if (changes.length === 0) return { kind: 'duplicate', sameContent: true };
  return { kind: 'conflict', changes };
}

const CHANGE_WORDS: Record<ChangedField['change'], string> = {
  changed: 'differs from the record first accepted under',
  added: 'was not in the record first accepted under',
  removed: 'was in the record first accepted under',
};

/**
 * The refusal of a record that reuses an accepted source id with other fields: one issue per
 * changed field (code `conflict`), saying what happened to it and what the sender can do.
 */
export function conflictIssues(sourceId: string, changes: readonly ChangedField[]): RecordIssue[] {
  return changes.map(({ pointer, change }) => ({
    pointer,
    code: 'conflict',
    message:
      `${CHANGE_WORDS[change]} source id ${JSON.stringify(sourceId)}${change === 'removed' ? ' and is missing now' : ''}; ` +
      'that first state is kept (a correction is never taken under the same id): resend it unchanged, ' +
      'or send the correction as a record of its own id',
  }));
}
