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

function serverProperties(r: Resolved): string {
  return [
    '# Written by infra/src/kafka-launcher.ts for a single local KRaft broker.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${r.host}:${r.controllerPort}`,
    `listeners=PLAINTEXT://${r.host}:${r.port},CONTROLLER://${r.host}:${r.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${r.host}:${r.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(r.home, 'data')}`,
    'num.partitions=3',
    // One broker: internal topics must have a single replica, or consumer groups never form.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'min.insync.replicas=1',
    'default.replication.factor=1',
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
  const libDir = await fetchKafka(options);
  const logsDir = join(r.home, 'logs');
  const storageDir = join(r.home, 'data');
  mkdirSync(logsDir, { recursive: true });
  mkdirSync(storageDir, { recursive: true });
  const propertiesFile = join(r.home, 'server.properties');
  writeFileSync(propertiesFile, serverProperties(r));
  const classpath = `${libDir}/*`;
  const log4j = `-Dlog4j2.configurationFile=${join(REPO_ROOT, 'infra/kafka/log4j2.properties')}`;
  const logFile = join(logsDir, 'server.log');

  if (!alive(readPid(r))) {
    if (!existsSync(join(storageDir, 'meta.properties'))) {
      const clusterId = randomBytes(16).toString('base64url');
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
    r.log(`starting Apache Kafka ${KAFKA_VERSION} on ${brokers} (log: ${logFile})`);
    const out = openSync(logFile, 'a');
    const child = spawn(
      'java',
      [
        `-Xms256m`,
        `-Xmx${r.heap}`,
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        log4j,
        '-cp',
        classpath,
        'kafka.Kafka',
        propertiesFile,
      ],
      { detached: true, stdio: ['ignore', out, out] },
    );
    closeSync(out);
    if (child.pid === undefined) throw new LauncherError('java could not be started');
    writeFileSync(join(r.home, 'kafka.pid'), String(child.pid));
    child.unref();
  }

  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (await kafkaAnswers(r.host, r.port)) {
      r.log(`broker answers on ${brokers}`);
      return { brokers, started: true };
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
