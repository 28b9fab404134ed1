import { describe, expect, it } from 'vitest';
import { unansweredPartitions } from './producer.ts';

describe('a send kafkajs resolved without every partition answered', () => {
  const a = { key: 'a' };
  const b = { key: 'b' };
  const c = { key: 'c' };
  const placed = new WeakMap<object, number>([
    [a, 0],
    [b, 1],
    [c, 2],
  ]);
  const sent = [
    { topic: 'events.police.v1', messages: [a, b] },
    { topic: 'dead-letters.v1', messages: [c] },
  ];

  it('finds nothing missing when each partition written to was answered', () => {
    expect(
      unansweredPartitions(
        sent,
        [
          { topicName: 'events.police.v1', partition: 0 },
          { topicName: 'events.police.v1', partition: 1 },
          { topicName: 'dead-letters.v1', partition: 2 },
        ],
        placed,
      ),
    ).toEqual([]);
  });

  it('names each topic/partition no broker acknowledged (its leader moved to a broker that had answered already)', () => {
    expect(unansweredPartitions(sent, [{ topicName: 'events.police.v1', partition: 0 }], placed)).toEqual([
      'dead-letters.v1/2',
      'events.police.v1/1',
    ]);
  });

  it('counts a message the partitioner never placed as unanswered, never as written', () => {
    expect(
      unansweredPartitions(
        [{ topic: 't', messages: [{ key: 'never placed' }] }],
        [{ topicName: 't', partition: 0 }],
        placed,
      ),
    ).toEqual(['t/?']);
  });
});
