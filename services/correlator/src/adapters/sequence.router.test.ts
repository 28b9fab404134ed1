import { describe, expect, it } from 'vitest';
import { cutByBytes, offsetsAfter, rewindTo } from './sequence.router.ts';

describe('cutByBytes: the copies of a group in produce requests of bounded size', () => {
  const items = (...bytes: number[]) => bytes.map((b, i) => ({ i, bytes: b }));
  const shape = (requests: { i: number }[][]) => requests.map((r) => r.map((x) => x.i));

  it('given copies that fit together, then one request', () => {
    expect(shape(cutByBytes(items(100, 200, 300), 600))).toEqual([[0, 1, 2]]);
  });

  it('given more than the limit, then several requests, in order, each within it', () => {
    expect(shape(cutByBytes(items(400, 400, 100, 500, 1), 600))).toEqual([[0], [1, 2], [3, 4]]);
  });

  it('given one copy larger than the limit, then it goes alone (the broker decides), and none is dropped', () => {
    expect(shape(cutByBytes(items(50, 2000, 50), 600))).toEqual([[0], [1], [2]]);
  });

  it('given nothing, then no request', () => {
    expect(cutByBytes([], 600)).toEqual([]);
  });
});

describe('offsetsAfter and rewindTo: what the copy loop commits, and where it reads again after a failure', () => {
  const copies = [
    { source: { topic: 'events.water.v1', partition: 0, first: '10', last: '19' } },
    { source: { topic: 'events.police.v1', partition: 2, first: '5', last: '5' } },
    {}, // a clock tick: no source
    { source: { topic: 'events.water.v1', partition: 0, first: '20', last: '24' } },
  ];

  it('given copies on the sequence, then each source partition is committed one past its last copy', () => {
    expect(offsetsAfter(copies)).toEqual([
      { topic: 'events.water.v1', partition: 0, offset: '25' },
      { topic: 'events.police.v1', partition: 2, offset: '6' },
    ]);
  });

  it('given copies dropped after a failed send, then each partition is read again from its first dropped copy, not its last', () => {
    expect(rewindTo(copies)).toEqual([
      { topic: 'events.water.v1', partition: 0, offset: '10' },
      { topic: 'events.police.v1', partition: 2, offset: '5' },
    ]);
  });
});
