import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { HashedPartitioner, partitionHash } from './partitioner.ts';

const metadata = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({
    partitionId: i,
    leader: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));

describe('HashedPartitioner', () => {
  it('puts every key where kafkajs’s default (Java-compatible) partitioner does, hashed before or not', () => {
    const reference = Partitioners.DefaultPartitioner();
    const hashed = HashedPartitioner();
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 1, max: 64 }), (key, n) => {
        const expected = reference({
          topic: 't',
          partitionMetadata: metadata(n),
          message: { key, value: 'v' },
        });
        expect(hashed({ topic: 't', partitionMetadata: metadata(n), message: { key, value: 'v' } })).toBe(
          expected,
        );
        const message = { key, value: 'v', partitionHash: partitionHash(key) };
        expect(hashed({ topic: 't', partitionMetadata: metadata(n), message })).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
