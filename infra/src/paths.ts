import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadInfraConfig } from './infra.config.ts';

/** The repository root (this file is infra/src/paths.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Git-ignored runtime state of the local installation: broker data and logs, demo credentials. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return loadInfraConfig(env).LIANDONG_DATA_DIR ?? join(REPO_ROOT, '.data');
}

/** Downloaded artifacts, shared by every clone on the machine. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const config = loadInfraConfig(env);
  return config.LIANDONG_CACHE_DIR ?? join(config.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'liandong');
}
