import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';
import { positiveMurmur2 } from './murmur2.ts';

/**
 * The key's partition hash (positive murmur2, as the default partitioner computes it). Computing
 * it where the message is prepared — a normalizing thread — spares the producing event loop.
 */
export function partitionHash(key: string): number {
  return positiveMurmur2(key);
}

/**
 * kafkajs's default (Java-compatible) partitioner, which takes a hash computed beforehand from
 * the message's `partitionHash` when there is one: same partitions, less work at produce time.
 */
export const HashedPartitioner: ICustomPartitioner = () => {
  let counter = Math.floor(Math.random() * 0x7fffffff);
  return ({ partitionMetadata, message }: PartitionerArgs) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const hash = (message as { partitionHash?: number }).partitionHash;
    if (hash !== undefined) return hash % partitionMetadata.length;
    const key = message.key;
    if (key !== null && key !== undefined) return positiveMurmur2(key) % partitionMetadata.length;
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    counter = (counter + 1) & 0x7fffffff;
    return (available[counter % Math.max(1, available.length)] ?? partitionMetadata[0])?.partitionId ?? 0;
  };
};
