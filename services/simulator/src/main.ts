/**
 * The feed simulator: the six departments' everyday feeds over Nanhai District plus scripted
 * scenarios, in Exercise status unless told otherwise, through the real ingest endpoints.
 * Control API (127.0.0.1:8190, see app.ts): /healthz, /readyz, /metrics, /docs, GET /status,
 * GET /scenarios, POST /scenarios/:name, GET /runs, DELETE /runs/:runId.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEPARTMENT_CODES, departmentEntry, type DepartmentCode } from '@liandong/contracts';
import { buildSimulatorApp } from './app.ts';
import { createSender } from './adapters/sender.ts';
import { SCENARIOS, scenarioByName } from './domain/scenarios/index.ts';
import { ScenarioRunning } from './simulation.ts';
import { createSimulation } from './simulation.ts';
import { loadSimulatorConfig, type SimulatorConfig } from './simulator.config.ts';

function configOrExit(): SimulatorConfig {
  try {
    return loadSimulatorConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(78);
  }
}
const config = configOrExit();

function log(level: 'info' | 'warn' | 'error', msg: string, extra: Record<string, unknown> = {}) {
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), service: 'simulator', msg, ...extra })}\n`,
  );
}

function loadKeys(): Partial<Record<DepartmentCode, string>> {
  if (config.SIM_KEYS) return JSON.parse(config.SIM_KEYS) as Partial<Record<DepartmentCode, string>>;
  const file =
    config.SIM_CREDENTIALS_FILE ??
    fileURLToPath(new URL('../../../.data/demo-credentials.json', import.meta.url));
  if (!existsSync(file)) {
    log(
      'error',
      `no department keys: ${file} does not exist (pnpm admin demo-credentials writes it) and SIM_KEYS is unset`,
    );
    process.exit(78);
  }
  return (JSON.parse(readFileSync(file, 'utf8')) as { keys: Partial<Record<DepartmentCode, string>> }).keys;
}

const keys = loadKeys();
const missing = DEPARTMENT_CODES.filter((d) => !keys[d]);
if (missing.length) log('warn', `no key for ${missing.join(', ')}: their records cannot be sent`);

const sender = createSender({ host: config.SIM_HOST, portOffset: config.SIM_INGEST_PORT_OFFSET, keys, log });
const simulation = createSimulation({
  sender,
  seed: config.SIM_SEED,
  runId: randomBytes(3).toString('hex'),
  speed: config.SIM_SPEED,
  status: config.SIM_STATUS,
  background: config.SIM_BACKGROUND,
  onError: (error) =>
    log('error', 'a simulation tick failed; its records were not sent', { err: String(error) }),
});
simulation.start();

const scheduled =
  config.SIM_SCENARIOS === 'none'
    ? []
    : config.SIM_SCENARIOS === 'all'
      ? [...SCENARIOS]
      : config.SIM_SCENARIOS.split(',').map((name) => {
          const scenario = scenarioByName(name.trim());
          if (!scenario)
            throw new Error(`unknown scenario "${name}": ${SCENARIOS.map((s) => s.name).join(', ')}`);
          return scenario;
        });
/** A scheduled run is skipped, not doubled, while the previous run of its scenario goes on. */
function startScheduled(scenario: (typeof SCENARIOS)[number]) {
  try {
    log('info', `scenario ${scenario.name} started (scheduled)`, simulation.startScenario(scenario));
  } catch (error) {
    if (!(error instanceof ScenarioRunning)) throw error;
    log('warn', `scheduled scenario skipped: ${error.message}`);
  }
}
let nextScheduled = 0;
const schedule = setInterval(() => {
  const scenario = scheduled[nextScheduled % scheduled.length];
  if (!scenario) return;
  nextScheduled += 1;
  startScheduled(scenario);
}, config.SIM_SCENARIO_EVERY_MINUTES * 60_000);
if (scheduled[0]) {
  // The first scheduled scenario starts a minute after launch, once the background is flowing.
  setTimeout(() => {
    const scenario = scheduled[0];
    if (!scenario) return;
    nextScheduled = 1;
    startScheduled(scenario);
  }, 60_000).unref();
}

const app = await buildSimulatorApp({
  simulation,
  scenarios: SCENARIOS,
  ingestUrl: (department) =>
    `http://${config.SIM_HOST}:${(departmentEntry(department).ingestPort ?? 0) + config.SIM_INGEST_PORT_OFFSET}/healthz`,
  ...(config.SIM_CONTROL_TOKEN ? { controlToken: config.SIM_CONTROL_TOKEN } : {}),
  log,
});
await app.listen({ host: '127.0.0.1', port: config.PORT });
log(
  'info',
  `simulating at speed ${config.SIM_SPEED} in ${config.SIM_STATUS} status; control API on ${config.PORT}`,
);

async function shutdown() {
  clearInterval(schedule);
  await simulation.stop();
  await app.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
