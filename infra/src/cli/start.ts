/**
 * pnpm start — the whole system on one machine: the Kafka broker (fetched from Maven Central the
 * first time), the database and its migrations, the topics, demo credentials, then every service.
 * Ctrl-C stops the services (and the broker, when this command started it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { exec } from '../exec.ts';
import { LauncherError, startKafka, stopKafka } from '../kafka-launcher.ts';
import { LOCAL_PROCESSES, type LocalProcess } from '../local/processes.ts';
import { secondSystemDefaults } from '../local/second-system.ts';
import { dataDir, REPO_ROOT } from '../paths.ts';
import { databaseUrls } from '@liandong/config';
import { loadInfraConfigOrExit } from '../infra.config.ts';
import { ensureDatabase } from '../postgres.ts';
import { consoleBuildState } from '../web-build.ts';

const config = loadInfraConfigOrExit();
/** Shifts every service port (8080, 8101–8106, 8120, 8190), to run a second system beside the first. */
const portOffset = config.LIANDONG_PORT_OFFSET;
// A second system shares the broker and the server, nothing else (schema, topics, data folder):
// what it settles is passed on to every step and service in the environment.
const second = secondSystemDefaults(process.env, portOffset, REPO_ROOT);
Object.assign(process.env, second.env);
// Migrations run as the owner of the tables (DATABASE_ADMIN_URL), the services as the role that
// may only insert into and read the audit log (DATABASE_URL; liandong_app by default).
const database = databaseUrls(config);
// The services' environment: this one passed on (each service reads its own with loadConfig).
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: database.app,
  DATABASE_ADMIN_URL: database.admin,
};
const logsDir = join(dataDir(), 'logs');
const portOf = (spec: LocalProcess) => (spec.port === undefined ? undefined : spec.port + portOffset);
const children: { process: ChildProcess; spec: LocalProcess }[] = [];
/** The broker start this command began, if any: what it started, it stops. */
let kafkaStart: Promise<{ brokers: string; started: boolean }> | undefined;
let stopping: Promise<never> | undefined;

function say(line: string): void {
  process.stdout.write(`[liandong] ${line}\n`);
}

/** Once a stop is under way, nothing new starts: this waits for the stop (which exits). */
async function notStopping(): Promise<void> {
  if (stopping) await stopping;
}

async function step(title: string, args: string[]): Promise<void> {
  await notStopping();
  // The steps see what this command settled (KAFKA_BROKERS, the database URLs), as the services do.
  const result = await exec(process.execPath, ['--import', 'tsx', ...args], { cwd: REPO_ROOT, env });
  const output = (result.stdout + result.stderr).trim();
  if (result.code !== 0) throw new LauncherError(`${title} failed:\n${output}`);
  say(`${title}: ${output.split('\n').at(-1) ?? 'ok'}`);
}

function startProcess(spec: LocalProcess, kafkaBrokers: string): ChildProcess {
  const log = createWriteStream(join(logsDir, `${spec.name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', spec.entry], {
    cwd: join(REPO_ROOT, spec.dir),
    env: {
      ...env,
      KAFKA_BROKERS: kafkaBrokers,
      ...(spec.port ? { PORT: String(portOf(spec)) } : {}),
      SIM_INGEST_PORT_OFFSET: String(portOffset),
      SIM_CREDENTIALS_FILE: join(dataDir(), 'demo-credentials.json'),
      ...spec.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      // The console shows warnings and errors; everything is in .data/logs/<service>.log.
      if (/"level":"(warn|error|fatal)"/.test(line) || !line.startsWith('{')) say(`${spec.name}: ${line}`);
    });
  }
  child.on('exit', (code, signal) => {
    if (stopping === undefined)
      say(`${spec.name} exited (${signal ?? code}); see ${join(logsDir, `${spec.name}.log`)}`);
  });
  return child;
}

// Seven tsx processes starting at once on a busy two-core machine have been seen to need more than
// a minute; a service that is really broken says so in its log long before this bound.
async function waitHealthy(spec: LocalProcess, timeoutMs = 180_000): Promise<void> {
  const port = portOf(spec);
  if (!port) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new LauncherError(
    `${spec.name} did not answer on port ${portOf(spec)} within ${timeoutMs / 1000} s; see ${join(logsDir, `${spec.name}.log`)}`,
  );
}

/**
 * Stops what this command started: the services, then the broker if this command started it.
 * Ctrl-C in a terminal signals the whole process group, and pnpm forwards a second SIGINT of its
 * own; a repeated signal (or an error during the stop) joins the stop under way and never cuts it
 * short, or the broker would be left running. The stop is bounded by itself: services get 15 s
 * before SIGKILL, the broker its grace period.
 */
function shutdown(code: number): Promise<never> {
  if (stopping) {
    say('still stopping; waiting for what was started to stop…');
    return stopping;
  }
  stopping = stopEverything(code);
  return stopping;
}

async function stopEverything(code: number): Promise<never> {
  say('stopping services…');
  await Promise.all(
    children.map(
      ({ process: child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  // A signal during the broker's start-up waits for it: a broker started here is stopped here.
  const startedHere = await kafkaStart?.then(
    (kafka) => kafka.started,
    () => false,
  );
  if (startedHere) {
    try {
      await stopKafka({ log: (l) => say(`kafka: ${l}`) });
    } catch (error) {
      say(`kafka: could not stop the broker: ${String(error)}; stop it with pnpm kafka stop`);
      code = code || 1;
    }
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  mkdirSync(logsDir, { recursive: true });
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) throw new LauncherError(`Node.js 20 or newer is needed; this is ${process.version}`);

  if (second.notes.length)
    say(`a second system (ports shifted by ${portOffset}) beside the first: ${second.notes.join('; ')}`);
  let brokers = config.KAFKA_BROKERS;
  if (!brokers) {
    kafkaStart = startKafka({ log: (l) => say(`kafka: ${l}`) });
    brokers = (await kafkaStart).brokers;
  }
  env['KAFKA_BROKERS'] = brokers;
  say(`Kafka on ${brokers}`);

  const { created } = await ensureDatabase(database.admin);
  if (created) say('created the database');
  await step('migrations', ['services/lib/db/src/cli.ts', 'migrate']);
  await step('topics', ['services/lib/kafka/src/cli.ts', 'ensure-topics']);
  await step('demo credentials', ['services/admin/src/cli.ts', 'demo-credentials']);
  // The console the hub serves: built when web/dist is missing or older than its sources.
  const consoleState = consoleBuildState(join(REPO_ROOT, 'web'));
  if (consoleState !== 'fresh') {
    await notStopping();
    say(`building the console (web/dist is ${consoleState})…`);
    const built = await exec('pnpm', ['-s', 'build:web'], { cwd: REPO_ROOT, env });
    if (built.code !== 0)
      throw new LauncherError(`building the console failed:\n${(built.stdout + built.stderr).trim()}`);
    say('console built');
  }

  for (const group of [LOCAL_PROCESSES.filter((p) => !p.last), LOCAL_PROCESSES.filter((p) => p.last)]) {
    await notStopping();
    for (const spec of group) children.push({ process: startProcess(spec, brokers), spec });
    await Promise.all(group.map((spec) => waitHealthy(spec)));
  }
  say('all services are up:');
  for (const spec of LOCAL_PROCESSES) {
    const port = portOf(spec);
    say(
      `  ${spec.name.padEnd(16)} ${port ? `http://127.0.0.1:${port}${spec.docs === false ? '' : '  (docs: /docs)'}` : ''}`,
    );
  }
  say(
    `logs in ${logsDir}; demo users (operator, analyst, admin, a liaison per unit) and department keys in ${join(dataDir(), 'demo-credentials.json')}`,
  );
  say(`console and API: http://127.0.0.1:${8080 + portOffset} (API docs: /docs)`);
  say('Ctrl-C stops everything.');
} catch (error) {
  say(error instanceof LauncherError ? `error: ${error.message}` : `error: ${String(error)}`);
  await shutdown(1);
}
