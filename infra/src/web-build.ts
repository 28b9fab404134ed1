/** Whether the console's build (web/dist) is missing or older than its sources, and building it. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = ['src', 'index.html', 'package.json', 'vite.config.ts', 'nanhai.geo.ts'];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** `missing` without web/dist/index.html, `stale` when a source changed after it, else `fresh`. */
export function consoleBuildState(webDir: string): 'missing' | 'stale' | 'fresh' {
  const built = join(webDir, 'dist', 'index.html');
  if (!existsSync(built)) return 'missing';
  const sources = Math.max(...SOURCES.map((s) => newest(join(webDir, s))));
  return sources > statSync(built).mtimeMs ? 'stale' : 'fresh';
}
