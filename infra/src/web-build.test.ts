import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleBuildState } from './web-build.ts';

describe('consoleBuildState', () => {
  it('is missing without a build, fresh after it, stale once a source changes', () => {
    const web = mkdtempSync(join(tmpdir(), 'web-build-'));
    mkdirSync(join(web, 'src/screens'), { recursive: true });
    writeFileSync(join(web, 'src/screens/queue.tsx'), 'x');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(web, 'src/screens/queue.tsx'), old, old);
    expect(consoleBuildState(web)).toBe('missing');

    mkdirSync(join(web, 'dist'));
    writeFileSync(join(web, 'dist/index.html'), '<!doctype html>');
    expect(consoleBuildState(web)).toBe('fresh');

    const later = new Date(Date.now() + 60_000);
    utimesSync(join(web, 'src/screens/queue.tsx'), later, later);
    expect(consoleBuildState(web)).toBe('stale');
  });
});
