import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { exec, type ExecResult } from './exec.ts';
import { loadInfraConfig } from './infra.config.ts';
import { cacheDir, dataDir, REPO_ROOT } from './paths.ts';

export const KAFKA_VERSION = readFileSync(join(REPO_ROOT, 'infra/kafka/pom.xml'), 'utf8').match(
  /<kafka\.version>([^<]+)<\/kafka\.version>/,
)?.[1] as string;

export class LauncherError extends Error {
  override name = 'LauncherError';
}

export interface KafkaLauncherOptions {
  /** Client port; the KRaft controller listens on port + 1. */
  port?: number;
  host?: string;
  heap?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

interface Resolved {
  port: number;
  controllerPort: number;
  host: string;
  heap: string;
  libDir: string;
  home: string;
  log: (line: string) => void;
}

function resolve(options: KafkaLauncherOptions): Resolved {
  const env = options.env ?? process.env;
  const config = loadInfraConfig(env);
  const port = options.port ?? config.KAFKA_PORT;
  const home = join(dataDir(env), 'kafka', String(port));
  return {
    port,
    controllerPort: port + 1,
    host: options.host ?? '127.0.0.1',
    heap: options.heap ?? config.KAFKA_HEAP,
    libDir: join(cacheDir(env), `kafka-${KAFKA_VERSION}`, 'lib'),
    home,
    log: options.log ?? ((line) => process.stderr.write(`[kafka] ${line}\n`)),
  };
}

async function javaMajorVersion(): Promise<number> {
  const result = await exec('java', ['-version'], { timeoutMs: 30_000 });
  if (result.spawnError) {
    throw new LauncherError(
      'Java is not installed, and the local Kafka broker needs Java 17 or newer. ' +
        'Install it (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless) or set KAFKA_BROKERS to a running broker.',
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr + result.stdout);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : 0;
  return major;
}

/** Resolves the broker's jars from Maven Central into the cache once; returns the lib folder. */
export async function fetchKafka(options: KafkaLauncherOptions = {}): Promise<string> {
  const r = resolve(options);
  const marker = join(r.libDir, '.complete');
  if (existsSync(marker)) return r.libDir;
  const major = await javaMajorVersion();
  if (major < 17) {
    throw new LauncherError(
      `Kafka ${KAFKA_VERSION} needs Java 17 or newer; found Java ${major}. Install openjdk-17.`,
    );
  }
  r.log(`fetching Apache Kafka ${KAFKA_VERSION} from Maven Central into ${r.libDir} (once)`);
  rmSync(r.libDir, { recursive: true, force: true });
  mkdirSync(r.libDir, { recursive: true });
  const result = await exec(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      join(REPO_ROOT, 'infra/kafka/pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${r.libDir}`,
      '-DincludeScope=runtime',
    ],
    { timeoutMs: 15 * 60_000 },
  );
  if (result.spawnError) {
    throw new LauncherError(
      'Maven (mvn) is not installed; it fetches the Kafka broker from Maven Central. ' +
        'Install it (Debian/Ubuntu: apt-get install -y maven) or set KAFKA_BROKERS to a running broker.',
    );
  }
  if (result.code !== 0) {
    const output = (result.stdout + result.stderr).trim().split('\n').slice(-15).join('\n');
    throw new LauncherError(
      `Maven could not resolve org.apache.kafka:kafka_2.13:${KAFKA_VERSION} from Maven Central. ` +
        `Check that this machine reaches Maven Central (or a mirror in ~/.m2/settings.xml). Maven said:\n${output}`,
    );
  }
  writeFileSync(marker, new Date().toISOString());
  return r.libDir;
}

function portAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when a Kafka broker answers metadata requests at host:port. */
export async function kafkaAnswers(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
  if (!(await portAnswers(host, port))) return false;
  const kafka = new Kafka({
    brokers: [`${host}:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * A KRaft cluster id: 16 random bytes, base64url — never starting with "-", which the storage
 * tool reads as an option ("argument --cluster-id/-t: expected one argument"): one id in 64 did,
 * and `pnpm start` failed to format its broker (Kafka's own Uuid.randomUuid draws again too).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** One node of a local KRaft cluster: its id and the quorum's voters (`id@host:port,…`). */
interface ClusterNode {
  id: number;
  voters: string;
  size: number;
}

function serverProperties(r: Resolved, node?: ClusterNode): string {
  // One broker: internal topics must have a single replica, or consumer groups never form. A
  // cluster of three: every partition on three brokers, two of them in sync for a write.
  const replicas = node ? Math.min(3, node.size) : 1;
  const minIsr = replicas >= 3 ? 2 : 1;
  return [
    node
      ? `# Written by infra/src/kafka-launcher.ts: node ${node.id} of a local KRaft cluster of ${node.size}.`
      : '# Written by infra/src/kafka-launcher.ts for a single local KRaft broker.',
    'process.roles=broker,controller',
    `node.id=${node?.id ?? 1}`,
    `controller.quorum.voters=${node?.voters ?? `1@${r.host}:${r.controllerPort}`}`,
    `listeners=PLAINTEXT://${r.host}:${r.port},CONTROLLER://${r.host}:${r.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${r.host}:${r.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(r.home, 'data')}`,
    'num.partitions=3',
    `offsets.topic.replication.factor=${replicas}`,
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minIsr}`,
    `share.coordinator.state.topic.replication.factor=${replicas}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    `min.insync.replicas=${minIsr}`,
    `default.replication.factor=${replicas}`,
    'unclean.leader.election.enable=false',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    'log.retention.check.interval.ms=300000',
    '',
  ].join('\n');
}

function readPid(r: Resolved): number | undefined {
  const file = join(r.home, 'kafka.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tail(file: string, lines = 25): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
}

export interface KafkaStatus {
  brokers: string;
  answering: boolean;
  pid?: number;
  logFile: string;
  dataDir: string;
}

export async function kafkaStatus(options: KafkaLauncherOptions = {}): Promise<KafkaStatus> {
  const r = resolve(options);
  const pid = readPid(r);
  return {
    brokers: `${r.host}:${r.port}`,
    answering: await kafkaAnswers(r.host, r.port),
    ...(alive(pid) ? { pid } : {}),
    logFile: join(r.home, 'logs', 'server.log'),
    dataDir: join(r.home, 'data'),
  };
}

/**
 * Starts the local broker and waits until it answers. A no-op when a broker already answers on
 * the port. Returns whether this call started it (so the caller knows whether to stop it).
 */
function spawnErrorText(result: ExecResult): string {
  return result.spawnError ? `java could not be started: ${result.spawnError.message}` : '(no output)';
}

async function formatStorage(
  classpath: string,
  log4j: string,
  clusterId: string,
  propertiesFile: string,
  logsDir: string,
): Promise<ExecResult> {
  const result = await exec(
    'java',
    ['-cp', classpath, log4j, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile],
    { timeoutMs: 120_000 },
  );
  appendFileSync(
    join(logsDir, 'format.log'),
    `${new Date().toISOString()} exit ${result.code}\n${result.stdout}${result.stderr}${result.spawnError ? spawnErrorText(result) : ''}\n`,
  );
  return result;
}

interface PreparedNode {
  propertiesFile: string;
  logFile: string;
  classpath: string;
  log4j: string;
}

/** Writes a node's properties and formats its storage once (under `clusterId`, or a new one). */
async function prepareNode(
  r: Resolved,
  libDir: string,
  node?: ClusterNode,
  clusterId: string = newClusterId(),
): Promise<PreparedNode> {
  const logsDir = join(r.home, 'logs');
  const storageDir = join(r.home, 'data');
  mkdirSync(logsDir, { recursive: true });
  mkdirSync(storageDir, { recursive: true });
  const propertiesFile = join(r.home, 'server.properties');
  writeFileSync(propertiesFile, serverProperties(r, node));
  const classpath = `${libDir}/*`;
  const log4j = `-Dlog4j2.configurationFile=${join(REPO_ROOT, 'infra/kafka/log4j2.properties')}`;
  if (!alive(readPid(r)) && !existsSync(join(storageDir, 'meta.properties'))) {
    r.log(`formatting KRaft storage in ${storageDir}`);
    // Formatting is a one-shot JVM; it has been seen to fail once under a full machine without
    // a trace. It is tried twice; every attempt's output is kept beside the broker's own log.
    let format = await formatStorage(classpath, log4j, clusterId, propertiesFile, logsDir);
    if (format.code !== 0 && !existsSync(join(storageDir, 'meta.properties'))) {
      r.log('formatting failed; trying once more (see logs/format.log)');
      format = await formatStorage(classpath, log4j, clusterId, propertiesFile, logsDir);
    }
    if (format.code !== 0) {
      throw new LauncherError(
        `formatting Kafka storage failed (exit ${format.code}):\n${(format.stdout + format.stderr).trim() || spawnErrorText(format)}`,
      );
    }
  }
  return { propertiesFile, logFile: join(logsDir, 'server.log'), classpath, log4j };
}

/** Starts a prepared node's JVM (detached, its pid in kafka.pid) unless it already runs. */
function spawnNode(r: Resolved, prepared: PreparedNode): void {
  if (alive(readPid(r))) return;
  r.log(`starting Apache Kafka ${KAFKA_VERSION} on ${r.host}:${r.port} (log: ${prepared.logFile})`);
  const out = openSync(prepared.logFile, 'a');
  const child = spawn(
    'java',
    [
      `-Xms256m`,
      `-Xmx${r.heap}`,
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      prepared.log4j,
      '-cp',
      prepared.classpath,
      'kafka.Kafka',
      prepared.propertiesFile,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  if (child.pid === undefined) throw new LauncherError('java could not be started');
  writeFileSync(join(r.home, 'kafka.pid'), String(child.pid));
  child.unref();
}

/** Waits until the node answers metadata requests; fails with its log's tail if it exits or never does. */
async function waitAnswering(r: Resolved, logFile: string, timeoutMs: number): Promise<void> {
  const brokers = `${r.host}:${r.port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await kafkaAnswers(r.host, r.port)) {
      r.log(`broker answers on ${brokers}`);
      return;
    }
    if (!alive(readPid(r))) {
      throw new LauncherError(
        `the Kafka broker exited during start-up. Last lines of ${logFile}:\n${tail(logFile)}`,
      );
    }
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new LauncherError(
    `the Kafka broker did not answer on ${brokers} in time. Last lines of ${logFile}:\n${tail(logFile)}`,
  );
}

export async function startKafka(
  options: KafkaLauncherOptions & { timeoutMs?: number } = {},
): Promise<{ brokers: string; started: boolean }> {
  const r = resolve(options);
  const brokers = `${r.host}:${r.port}`;
  if (await kafkaAnswers(r.host, r.port)) {
    r.log(`a broker already answers on ${brokers}`);
    return { brokers, started: false };
  }
  if (await portAnswers(r.host, r.port)) {
    const pid = readPid(r);
    if (!alive(pid)) {
      throw new LauncherError(
        `port ${r.port} is taken by something that is not a Kafka broker; set KAFKA_PORT`,
      );
    }
  }
  const prepared = await prepareNode(r, await fetchKafka(options));
  spawnNode(r, prepared);
  await waitAnswering(r, prepared.logFile, options.timeoutMs ?? 90_000);
  return { brokers, started: true };
}

export interface KafkaCluster {
  /** host:port of every node, for KAFKA_BROKERS. */
  brokers: string[];
  nodes: { id: number; port: number; pid(): number | undefined }[];
  /** SIGKILLs node `id` (1-based), as a crash would. */
  kill(id: number): void;
  /** Starts node `id` again on its own storage and waits until it answers. */
  restart(id: number): Promise<void>;
  /** Stops every node and removes the cluster's folder. */
  remove(): Promise<void>;
}

/**
 * A KRaft cluster of `size` nodes (each broker and controller) on this one machine, for the fault
 * suite: node i listens on basePort + 2(i − 1), its controller one port above; topics are
 * replicated on three brokers with two in sync for a write. Its storage is in a fresh folder under
 * the data folder (kafka-cluster-<basePort>), removed by remove().
 */
export async function startKafkaCluster(
  options: Omit<KafkaLauncherOptions, 'port'> & { basePort: number; size?: number; timeoutMs?: number },
): Promise<KafkaCluster> {
  const size = options.size ?? 3;
  const root = join(dataDir(options.env ?? process.env), `kafka-cluster-${options.basePort}`);
  rmSync(root, { recursive: true, force: true });
  const base = resolve({ ...options, port: options.basePort });
  const nodes = Array.from({ length: size }, (_, i) => {
    const port = options.basePort + 2 * i;
    const r: Resolved = { ...base, port, controllerPort: port + 1, home: join(root, `node-${i + 1}`) };
    return { id: i + 1, r };
  });
  const voters = nodes.map((n) => `${n.id}@${n.r.host}:${n.r.controllerPort}`).join(',');
  for (const n of nodes)
    if (await portAnswers(n.r.host, n.r.port))
      throw new LauncherError(`port ${n.r.port} is taken; choose another base port for the cluster`);
  const libDir = await fetchKafka(options);
  const clusterId = newClusterId();
  const prepared = new Map<number, PreparedNode>();
  for (const n of nodes)
    prepared.set(n.id, await prepareNode(n.r, libDir, { id: n.id, voters, size }, clusterId));
  const timeoutMs = options.timeoutMs ?? 120_000;
  const byId = (id: number) => {
    const n = nodes.find((x) => x.id === id);
    if (!n) throw new LauncherError(`the cluster has no node ${id}`);
    return { ...n, prepared: prepared.get(id) as PreparedNode };
  };
  // A controller needs a majority of the voters: all are started before any is waited for.
  for (const n of nodes) spawnNode(n.r, prepared.get(n.id) as PreparedNode);
  const stopAll = async () => {
    for (const n of nodes) {
      const pid = readPid(n.r);
      if (alive(pid)) process.kill(pid as number, 'SIGKILL');
    }
  };
  try {
    await Promise.all(nodes.map((n) => waitAnswering(n.r, byId(n.id).prepared.logFile, timeoutMs)));
  } catch (error) {
    await stopAll();
    // The logs are kept for the error's reader; the storage is not worth keeping.
    for (const n of nodes) rmSync(join(n.r.home, 'data'), { recursive: true, force: true });
    throw error;
  }
  return {
    brokers: nodes.map((n) => `${n.r.host}:${n.r.port}`),
    nodes: nodes.map((n) => ({ id: n.id, port: n.r.port, pid: () => readPid(n.r) })),
    kill(id) {
      const { r } = byId(id);
      const pid = readPid(r);
      if (alive(pid)) process.kill(pid as number, 'SIGKILL');
      rmSync(join(r.home, 'kafka.pid'), { force: true });
    },
    async restart(id) {
      const { r, prepared: node } = byId(id);
      spawnNode(r, node);
      await waitAnswering(r, node.logFile, timeoutMs);
    },
    async remove() {
      await stopAll();
      const deadline = Date.now() + 15_000;
      for (const n of nodes)
        while (alive(readPid(n.r)) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Stops the broker this launcher started (controlled shutdown, then SIGKILL after the grace period). */
export async function stopKafka(options: KafkaLauncherOptions & { graceMs?: number } = {}): Promise<boolean> {
  const r = resolve(options);
  const pid = readPid(r);
  if (!alive(pid) || pid === undefined) {
    rmSync(join(r.home, 'kafka.pid'), { force: true });
    return false;
  }
  r.log(`stopping the broker (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + (options.graceMs ?? 30_000);
  while (alive(pid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(join(r.home, 'kafka.pid'), { force: true });
  return true;
}
