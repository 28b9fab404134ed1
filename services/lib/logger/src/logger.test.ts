import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './index.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts personal data and credentials, keeps the rest', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 'ingest-police', destination });
    logger.info(
      {
        eventId: 'e-1',
        record: { caller: { name: '张三', phone: '13800000000' }, address: '桂城街道南海大道1号' },
        req: { headers: { authorization: 'Bearer abc' } },
      },
      'accepted',
    );
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    const text = lines.join('');
    expect(entry['service']).toBe('ingest-police');
    expect(entry['eventId']).toBe('e-1');
    expect(text).not.toContain('13800000000');
    expect(text).not.toContain('张三');
    expect(text).not.toContain('南海大道');
    expect(text).not.toContain('Bearer abc');
  });
});
