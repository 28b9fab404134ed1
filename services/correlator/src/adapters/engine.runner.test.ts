import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ruleFilesFingerprint } from '@liandong/correlation-engine';
import { decodeSequenced, snapshotInterval } from './engine.runner.ts';
import { HEADER } from './sequence.topic.ts';
import { gaugeReading, near } from '@liandong/correlation-engine/testing';

const message = (value: unknown, kind: string): KafkaMessage => ({
  key: Buffer.from(kind),
  value: Buffer.from(JSON.stringify(value)),
  headers: { [HEADER.kind]: Buffer.from(kind) },
  offset: '0',
  timestamp: '0',
  attributes: 0,
});

describe('snapshotInterval', () => {
  it('given a snapshot that took 400 ms to serialize, then the next waits 8 s, not the configured 5 s', () => {
    expect(snapshotInterval(5000, 400)).toBe(8000);
    expect(snapshotInterval(5000, 10)).toBe(5000);
  });

  it('given 0 (after every batch), then it stays 0 however long a snapshot takes', () => {
    expect(snapshotInterval(0, 400)).toBe(0);
  });
});

describe('decodeSequenced: rules records', () => {
  const files = [{ name: 'a.yaml', text: 'rules: []' }];

  it('given a rules record whose files have its fingerprint, then it is a rules input', () => {
    const fingerprint = ruleFilesFingerprint(files);
    expect(decodeSequenced(message({ fingerprint, files }, 'rules'))).toEqual({
      kind: 'rules',
      rules: { fingerprint, files },
    });
  });

  it('given a rules record whose files were changed after it was fingerprinted, then it is invalid', () => {
    const fingerprint = ruleFilesFingerprint(files);
    const decoded = decodeSequenced(
      message({ fingerprint, files: [{ name: 'a.yaml', text: 'rules: [x]' }] }, 'rules'),
    );
    expect(decoded).toEqual({ invalid: expect.stringContaining('do not have its fingerprint') as unknown });
  });

  it('given a rules record without files, then it is invalid, naming the shape expected', () => {
    expect(decodeSequenced(message({ fingerprint: 'x' }, 'rules'))).toEqual({
      invalid: 'a rules record that is not { fingerprint, files: [{ name, text }] }',
    });
  });
});

describe('decodeSequenced: a shard’s copy', () => {
  const tick = (log: string): KafkaMessage =>
    ({
      ...message({ at: 5 }, 'tick'),
      headers: {
        [HEADER.kind]: Buffer.from('tick'),
        [HEADER.at]: Buffer.from('5'),
        [HEADER.log]: Buffer.from(log),
      },
    }) as KafkaMessage;
  it('given the offset the fan-out stamped, then the input carries it; a stamp that is not an offset is refused', () => {
    expect(decodeSequenced(tick('42'))).toEqual({ kind: 'tick', at: 5, log: 42n });
    expect(decodeSequenced(tick('4x'))).toEqual({ invalid: 'a log offset that is not one: 4x' });
  });
});

describe('decodeSequenced: an event’s copy', () => {
  const event = gaugeReading(5, 'water.waterlogging_depth', 0.32, near(200));
  const copy = (headers: Record<string, string>): KafkaMessage =>
    ({
      ...message(event, event.id),
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
    }) as KafkaMessage;

  it('given a copy keyed by its source without headers (as the router writes them now) or keyed by the event id with `event` and source headers (as it did), then both are the same event with its source', () => {
    const expected = {
      kind: 'event',
      event,
      source: { partition: 'events.water.v1/3', offset: 17n },
    };
    expect(
      decodeSequenced({ ...copy({}), key: Buffer.from('events.water.v1/3/17'), headers: {} } as KafkaMessage),
    ).toEqual(expected);
    expect(
      decodeSequenced(copy({ [HEADER.kind]: 'event', [HEADER.source]: 'events.water.v1/3/17' })),
    ).toEqual(expected);
  });

  it('given a copy whose key is not a source, then the event is taken without one (never a wrong offset)', () => {
    const decoded = decodeSequenced({
      ...copy({}),
      key: Buffer.from('events.water.v1/3/x17'),
    });
    expect(decoded).toEqual({ kind: 'event', event, source: undefined });
  });

  it('given a copy whose value is not a normalized event, then it is invalid, naming the field', () => {
    const decoded = decodeSequenced({
      ...copy({ [HEADER.source]: 'events.water.v1/3/18' }),
      value: Buffer.from(JSON.stringify({ ...event, location: 'here' })),
    });
    expect(decoded).toEqual({ invalid: expect.stringContaining('/location') as unknown });
  });
});
