/**
 * Vitest global setup: obtains one real Kafka broker and one real PostgreSQL for the whole run.
 * Order of preference: KAFKA_BROKERS / DATABASE_URL from the environment; testcontainers when a
 * Docker engine answers; otherwise the local launchers in infra/ (Kafka from Maven Central in
 * KRaft mode, the PostgreSQL server on 127.0.0.1:5432). What this setup started, it stops.
 */
import type { TestProject } from 'vitest/node';
import { APP_ROLE, withUser } from '@liandong/config';
import { ensureDatabase, ensureRolePassword, startKafka, stopKafka } from '@liandong/infra';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    /** The owner's URL: migrations, test set-up that needs the owner. */
    databaseUrl: string;
    /** What services connect with: the app role (DATABASE_APP_URL, or liandong_app on the same server). */
    databaseAppUrl: string;
  }
}

const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/liandong_test';

async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cleanups: (() => Promise<void>)[] = [];
  const useDocker =
    (!process.env['KAFKA_BROKERS'] || !process.env['DATABASE_URL']) &&
    process.env['LIANDONG_NO_TESTCONTAINERS'] !== '1' &&
    (await dockerAnswers());

  let brokers = process.env['KAFKA_BROKERS'];
  if (!brokers && useDocker) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.0')
      .withKraft()
      .withExposedPorts(9093)
      .start();
    brokers = `${container.getHost()}:${container.getMappedPort(9093)}`;
    cleanups.push(async () => void (await container.stop()));
  }
  if (!brokers) {
    const port = Number(process.env['KAFKA_TEST_PORT'] ?? 9092);
    const result = await startKafka({ port, log: (line) => console.log(`[test kafka] ${line}`) });
    brokers = result.brokers;
    if (result.started) cleanups.push(async () => void (await stopKafka({ port })));
  }

  let databaseUrl = process.env['DATABASE_URL'];
  if (!databaseUrl && useDocker) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15').start();
    databaseUrl = container.getConnectionUri();
    cleanups.push(async () => void (await container.stop()));
  }
  databaseUrl ??= DEFAULT_TEST_DATABASE_URL;
  await ensureDatabase(databaseUrl);
  // The services' role on the same server; a server that asks for passwords gets the owner's for it.
  const password = decodeURIComponent(new URL(databaseUrl).password) || undefined;
  const databaseAppUrl = process.env['DATABASE_APP_URL'] ?? withUser(databaseUrl, APP_ROLE, password);
  await ensureRolePassword(databaseUrl, databaseAppUrl);

  project.provide('kafkaBrokers', brokers);
  project.provide('databaseUrl', databaseUrl);
  project.provide('databaseAppUrl', databaseAppUrl);

  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
}
