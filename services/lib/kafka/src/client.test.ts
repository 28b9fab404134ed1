import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogLevel } from './client.ts';

describe('kafkajs log levels', () => {
  it('keeps the errors kafkajs retries by itself (a broker loading its coordinator) and the restart after them as information', () => {
    const crashes = new Set<string>();
    // As a freshly started broker made `pnpm start` print them (seen on 2 December 2026).
    expect(
      kafkaLogLevel(
        logLevel.ERROR,
        'Response InitProducerId(key: 22, version: 1)',
        { error: "The coordinator is loading and hence can't process requests for this group" },
        crashes,
      ),
    ).toBe(logLevel.INFO);
    expect(
      kafkaLogLevel(
        logLevel.ERROR,
        "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group",
        { groupId: 'hub-warnings' },
        crashes,
      ),
    ).toBe(logLevel.INFO);
    expect(
      kafkaLogLevel(
        logLevel.ERROR,
        'Restarting the consumer in 200ms',
        { groupId: 'hub-warnings', retryTime: 200 },
        crashes,
      ),
    ).toBe(logLevel.INFO);
  });

  it('keeps every other error an error, also a consumer restart after a real crash', () => {
    const crashes = new Set<string>();
    expect(
      kafkaLogLevel(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded', { groupId: 'g' }, crashes),
    ).toBe(logLevel.ERROR);
    expect(kafkaLogLevel(logLevel.ERROR, 'Restarting the consumer in 200ms', { groupId: 'g' }, crashes)).toBe(
      logLevel.ERROR,
    );
    expect(
      kafkaLogLevel(
        logLevel.ERROR,
        'Response Produce',
        { error: 'The request included a message larger than the max message size the server will accept' },
        crashes,
      ),
    ).toBe(logLevel.ERROR);
    expect(kafkaLogLevel(logLevel.WARN, 'anything', {}, crashes)).toBe(logLevel.WARN);
  });
});
