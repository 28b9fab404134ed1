/**
 * murmur2 as the Java Kafka client computes it (org.apache.kafka.common.utils.Utils.murmur2):
 * the hash behind the default partitioner, so a key lands on the partition any other Kafka
 * client would choose. 32-bit arithmetic throughout (Math.imul, >>> as Java's >>>).
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** The signed 32-bit murmur2 of the key's bytes (a string is taken as UTF-8). */
export function murmur2(key: string | Uint8Array): number {
  const data = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (data[i4] as number) |
      ((data[i4 + 1] as number) << 8) |
      ((data[i4 + 2] as number) << 16) |
      ((data[i4 + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  // The last one to three bytes (Java's switch falls through from case 3 to case 1).
  const rest = length & 3;
  if (rest === 3) h ^= (data[tail + 2] as number) << 16;
  if (rest >= 2) h ^= (data[tail + 1] as number) << 8;
  if (rest >= 1) h = Math.imul(h ^ (data[tail] as number), M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The positive form the default partitioner takes modulo the partition count. */
export function positiveMurmur2(key: string | Uint8Array): number {
  return murmur2(key) & 0x7fffffff;
}
