import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { positiveMurmur2 } from './murmur2.ts';
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

  it('given any key, string or bytes, and up to 997 partitions, then the partition of kafkajs’s default partitioner', () => {
    const reference = Partitioners.DefaultPartitioner();
    const hashed = HashedPartitioner();
    const key = fc.oneof(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 64 }));
    fc.assert(
      fc.property(key, fc.integer({ min: 1, max: 997 }), (k, n) => {
        const message = { key: typeof k === 'string' ? k : Buffer.from(k), value: 'v' };
        const args = { topic: 't', partitionMetadata: metadata(n), message };
        expect(positiveMurmur2(k) % n).toBe(reference(args));
        expect(hashed(args)).toBe(reference(args));
      }),
      { numRuns: 500 },
    );
  });
});
