/**
 * pnpm kafka <fetch|start|stop|status> — the local Apache Kafka broker (KRaft, one node).
 * Options: --port N (default 9092, or KAFKA_PORT).
 */
import { fetchKafka, kafkaStatus, LauncherError, startKafka, stopKafka } from '../kafka-launcher.ts';

const [command, ...rest] = process.argv.slice(2);
const portIndex = rest.indexOf('--port');
const port = portIndex >= 0 ? Number(rest[portIndex + 1]) : undefined;
const options = port ? { port } : {};

try {
  switch (command ?? '') {
    case 'fetch':
      console.log(await fetchKafka(options));
      break;
    case 'start': {
      const { brokers, started } = await startKafka(options);
      console.log(started ? `Kafka started on ${brokers}` : `Kafka already running on ${brokers}`);
      break;
    }
    case 'stop':
      console.log(
        (await stopKafka(options)) ? 'Kafka stopped' : 'no broker started by this launcher is running',
      );
      break;
    case 'status': {
      const status = await kafkaStatus(options);
      console.log(JSON.stringify(status, null, 2));
      process.exitCode = status.answering ? 0 : 3;
      break;
    }
    default:
      console.error('usage: pnpm kafka <fetch|start|stop|status> [--port N]');
      process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof LauncherError ? `error: ${error.message}` : error);
  process.exitCode = 1;
}
