import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkaAnswers, kafkaStatus, startKafka, stopKafka } from './kafka-launcher.ts';
import { REPO_ROOT } from './paths.ts';

const cli = join(REPO_ROOT, 'infra/src/cli/kafka.ts');

function runCli(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
  });
}

describe('local Kafka launcher', () => {
  it('starts a KRaft broker, is a no-op when it runs, reports status, and stops it', async () => {
    const env = { ...process.env, LIANDONG_DATA_DIR: mkdtempSync(join(tmpdir(), 'ld-kafka-')) };
    // A random even port per run, so that two checkouts testing at once never share a broker.
    const port = 19192 + 2 * Math.floor(Math.random() * 400);
    const options = { port, env, log: () => undefined };
    let stopped: boolean;
    try {
      const first = await startKafka(options);
      expect(first).toEqual({ brokers: `127.0.0.1:${port}`, started: true });
      expect(await kafkaAnswers('127.0.0.1', port)).toBe(true);
      expect(await startKafka(options)).toEqual({ brokers: `127.0.0.1:${port}`, started: false });
      const status = await kafkaStatus(options);
      expect(status.answering).toBe(true);
      expect(status.pid).toBeGreaterThan(0);
      expect(status.logFile.startsWith(env.LIANDONG_DATA_DIR)).toBe(true);
    } finally {
      // Stop whatever happened; an assertion here would hide the error that got us here.
      stopped = await stopKafka(options);
    }
    expect(stopped).toBe(true);
    expect(await kafkaAnswers('127.0.0.1', port)).toBe(false);
    expect(await stopKafka(options)).toBe(false);
  }, 180_000);

  it('says what to install when Java is missing', () => {
    const nodeOnly = mkdtempSync(join(tmpdir(), 'ld-path-'));
    symlinkSync(process.execPath, join(nodeOnly, 'node'));
    const result = runCli(['fetch'], {
      PATH: nodeOnly,
      HOME: process.env['HOME'],
      LIANDONG_CACHE_DIR: mkdtempSync(join(tmpdir(), 'ld-cache-')),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Java is not installed.*openjdk-17/);
  });

  it('says what to install when Maven is missing', () => {
    const javaOnly = mkdtempSync(join(tmpdir(), 'ld-path-'));
    symlinkSync(process.execPath, join(javaOnly, 'node'));
    const java = realpathSync(spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).stdout.trim());
    symlinkSync(java, join(javaOnly, 'java'));
    const result = runCli(['fetch'], {
      PATH: `${javaOnly}`,
      HOME: process.env['HOME'],
      JAVA_HOME: dirname(dirname(java)),
      LIANDONG_CACHE_DIR: mkdtempSync(join(tmpdir(), 'ld-cache-')),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Maven \(mvn\) is not installed.*apt-get install -y maven/);
  });
});
