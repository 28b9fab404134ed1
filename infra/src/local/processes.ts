/**
 * Every long-running process `pnpm start` runs on one machine, in start order. When you add a
 * service, add it here (and its tests to the test command).
 */
export interface LocalProcess {
  name: string;
  /** Folder of the package, relative to the repository root. */
  dir: string;
  /** Entry point, relative to `dir`, run with tsx. */
  entry: string;
  env?: Record<string, string>;
  /** Port whose /healthz answers once it is up (LIANDONG_PORT_OFFSET is added). */
  port?: number;
  /** Whether it serves API docs at /docs. */
  docs?: boolean;
}

export const LOCAL_PROCESSES: LocalProcess[] = [
  { name: 'ingest-police', dir: 'services/ingest-police', entry: 'src/main.ts', port: 8101 },
];
