import { describe, expect, it } from 'vitest';
import { secondSystemDefaults } from './second-system.ts';

describe('a second system beside the first', () => {
  it('gets its own schema, topics and data folder unless told otherwise, and says so', () => {
    const { env, notes } = secondSystemDefaults({}, 1000, '/repo');
    expect(env).toEqual({
      DATABASE_SCHEMA: 'sys1000',
      KAFKA_TOPIC_PREFIX: 'sys1000.',
      LIANDONG_DATA_DIR: '/repo/.data/sys1000',
    });
    expect(notes).toHaveLength(3);
    expect(notes[0]).toContain('sys1000');
  });

  it('keeps what the user set, and changes nothing for the first system', () => {
    expect(
      secondSystemDefaults(
        { DATABASE_SCHEMA: 'mine', KAFKA_TOPIC_PREFIX: '', LIANDONG_DATA_DIR: '/d' },
        1000,
        '/repo',
      ),
    ).toEqual({ env: {}, notes: [] });
    expect(secondSystemDefaults({}, 0, '/repo')).toEqual({ env: {}, notes: [] });
  });
});
