import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  changedFields,
  conflictIssues,
  fieldDigests,
  MAX_DIGESTED_FIELDS,
  resendVerdict,
  type FieldDigests,
} from './content-fields.ts';
import { contentHash } from '../normalize/body.normalizer.ts';

const digestsOf = (value: unknown) => fieldDigests(JSON.stringify(value)) as FieldDigests;

/** The same value with the keys of every object in reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversed(v)]),
  );
}

describe('fieldDigests', () => {
  it('given a record, then one digest per field by JSON Pointer: objects followed, arrays and scalars whole', () => {
    const digests = digestsOf({
      id: 'a',
      location: { lon: 113.1, lat: 23 },
      tags: [1, 2],
      'a/b~c': null,
      empty: {},
    });
    expect(Object.keys(digests)).toEqual([
      '/id',
      '/location/lon',
      '/location/lat',
      '/tags',
      '/a~1b~0c',
      '/empty',
    ]);
    expect(new Set(Object.values(digests)).size).toBe(6);
  });

  it('given values that print alike but differ in type, then different digests', () => {
    expect(digestsOf({ v: 1 })['/v']).not.toBe(digestsOf({ v: '1' })['/v']);
    expect(digestsOf({ v: null })['/v']).not.toBe(digestsOf({ v: 'null' })['/v']);
    expect(digestsOf({ v: true })['/v']).not.toBe(digestsOf({ v: 'true' })['/v']);
  });

  it('given a record of more fields than kept, then top-level fields; more top-level fields still, then one digest', () => {
    const wide = Object.fromEntries(Array.from({ length: MAX_DIGESTED_FIELDS + 1 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(digestsOf({ id: 'a', free: wide }))).toEqual(['/id', '/free']);
    expect(Object.keys(digestsOf(wide))).toEqual(['']);
  });

  it('given an XML document or no JSON object, then none', () => {
    expect(fieldDigests('<alert/>')).toBeUndefined();
    expect(fieldDigests('[1]')).toBeUndefined();
    expect(fieldDigests('{broken')).toBeUndefined();
  });

  it('property: the digests do not depend on the order of keys', () => {
    fc.assert(
      fc.property(fc.object({ maxDepth: 4 }), (value) => {
        expect(digestsOf(reversed(value))).toEqual(digestsOf(value));
      }),
    );
  });
});

describe('changedFields', () => {
  it('given fields changed, added and removed, then each by pointer, in pointer order', () => {
    const first = digestsOf({ id: 'a', location: { lon: 113.1, lat: 23 }, summary: 'x' });
    const again = digestsOf({ id: 'a', location: { lon: 113.1, lat: 23.05 }, priority: 2 });
    expect(changedFields(first, again)).toEqual([
      { pointer: '/location/lat', change: 'changed' },
      { pointer: '/priority', change: 'added' },
      { pointer: '/summary', change: 'removed' },
    ]);
  });

  it('given no digests on a side (XML, or a record accepted before they were kept), then it cannot tell', () => {
    expect(changedFields(null, digestsOf({ id: 'a' }))).toBeUndefined();
    expect(changedFields(digestsOf({ id: 'a' }), undefined)).toBeUndefined();
  });

  it('property: changing one field of a record names exactly that field', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.jsonValue({ maxDepth: 0 }), {
          minKeys: 1,
        }),
        fc.nat(),
        fc.string(),
        (record, pick, other) => {
          const keys = Object.keys(record);
          const key = keys[pick % keys.length] as string;
          fc.pre(record[key] !== other);
          const changed = changedFields(digestsOf(record), digestsOf({ ...record, [key]: other }));
          expect(changed?.map((c) => c.pointer)).toEqual([
            `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
          ]);
        },
      ),
    );
  });
});

describe('resendVerdict', () => {
  const first = { id: 'a', occurredAt: '2026-06-01T10:15:00+08:00', location: { lat: 23 } };
  const state = (value: unknown) => {
    const raw = JSON.stringify(value);
    return { hash: contentHash(raw), fields: fieldDigests(raw) as FieldDigests };
  };

  it('given no first state (this record is claimed now), then accepted', () => {
    expect(resendVerdict(state(first), undefined)).toEqual({ kind: 'accepted' });
  });

  it('given the same content, in any key order, then a duplicate of the same content', () => {
    expect(resendVerdict(state(first), state(first))).toEqual({ kind: 'duplicate', sameContent: true });
    expect(resendVerdict(state(reversed(first)), state(first))).toEqual({
      kind: 'duplicate',
      sameContent: true,
    });
  });

  it('given other fields, then a conflict naming them', () => {
    expect(resendVerdict(state({ ...first, location: { lat: 23.1 } }), state(first))).toEqual({
      kind: 'conflict',
      changes: [{ pointer: '/location/lat', change: 'changed' }],
    });
  });

  it('given other text and no digests of the first state, then a duplicate whose content differs', () => {
    expect(resendVerdict(state({ ...first, id: 'b' }), { hash: state(first).hash, fields: null })).toEqual({
      kind: 'duplicate',
      sameContent: false,
    });
  });
});

describe('conflictIssues', () => {
  it('says of each field what happened to it, that the first state is kept, and what to do', () => {
    const [changed, removed] = conflictIssues('JJ-1', [
      { pointer: '/occurredAt', change: 'changed' },
      { pointer: '/summary', change: 'removed' },
    ]);
    expect(changed).toEqual({
      pointer: '/occurredAt',
      code: 'conflict',
      message:
        'differs from the record first accepted under source id "JJ-1"; that first state is kept (a correction is ' +
        'never taken under the same id): resend it unchanged, or send the correction as a record of its own id',
    });
    expect(removed?.message).toMatch(
      /^was in the record first accepted under source id "JJ-1" and is missing now;/,
    );
  });
});
