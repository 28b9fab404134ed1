import fc from 'fast-check';
import { v5 as uuidv5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { EVENT_ID_NAMESPACE, eventIdFor } from './event-id.ts';

describe('eventIdFor', () => {
  it('is the RFC 9562 version-5 UUID of department and source id (as the uuid package computes it)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('police', 'water', 'urban'),
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        (d, id) => {
          expect(eventIdFor(d, id)).toBe(uuidv5(`${d}\u001f${id}`, EVENT_ID_NAMESPACE));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('differs between departments for the same source id', () => {
    expect(eventIdFor('police', '1')).not.toBe(eventIdFor('urban', '1'));
  });
});
