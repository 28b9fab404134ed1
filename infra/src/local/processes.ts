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
  /** Started only once every other process is healthy (it depends on them). */
  last?: boolean;
}

export const LOCAL_PROCESSES: LocalProcess[] = [
  { name: 'ingest-police', dir: 'services/ingest-police', entry: 'src/main.ts', port: 8101 },
  { name: 'ingest-urban', dir: 'services/ingest-urban', entry: 'src/main.ts', port: 8102 },
  { name: 'ingest-market', dir: 'services/ingest-market', entry: 'src/main.ts', port: 8103 },
  { name: 'ingest-health', dir: 'services/ingest-health', entry: 'src/main.ts', port: 8104 },
  { name: 'ingest-water', dir: 'services/ingest-water', entry: 'src/main.ts', port: 8105 },
  { name: 'ingest-traffic', dir: 'services/ingest-traffic', entry: 'src/main.ts', port: 8106 },
  // The correlator: the engine live on the six events topics, warnings onto warnings.v1.
  { name: 'correlator', dir: 'services/correlator', entry: 'src/main.ts', port: 8120 },
  // The hub: REST, Socket.IO and the console on 8080 (after the migrations, like every service).
  { name: 'hub', dir: 'services/hub', entry: 'src/main.ts', port: 8080 },
  // Last: it feeds the ingest services above (Exercise status, SIM_SPEED, SIM_SCENARIOS).
  { name: 'simulator', dir: 'services/simulator', entry: 'src/main.ts', port: 8190, docs: false, last: true },
];
