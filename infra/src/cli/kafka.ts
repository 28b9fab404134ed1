/**
 * pnpm kafka <fetch|start|stop|status> — the local Apache Kafka broker (KRaft, one node).
 * Options: --port N (default 9092, or KAFKA_PORT).
 */
import { parseArgs } from 'node:util';
import { runCommand, UsageError } from '../cli-support.ts';
import { fetchKafka, kafkaStatus, startKafka, stopKafka } from '../kafka-launcher.ts';

const USAGE = `usage: pnpm kafka <fetch|start|stop|status> [--port N]

  fetch    download Apache Kafka and its run-time jars from Maven Central (cached in ~/.cache/liandong)
  start    start a single KRaft broker on 127.0.0.1 (data in .data/kafka/<port>), or say it already runs
  stop     stop the broker this launcher started on that port
  status   JSON: whether a broker answers, its pid and paths (exit 3 when none answers)

  --port N   the broker's port (default KAFKA_PORT or 9092)
Exit status: 0 done, 1 it failed, 2 a usage mistake, 3 (status) no broker answers.`;

await runCommand('pnpm kafka', USAGE, async (argv) => {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { port: { type: 'string' } },
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
    throw new UsageError(`--port wants a port number, not ${values.port}`);
  const options = port ? { port } : {};
  const [command, extra] = positionals;
  if (extra !== undefined) throw new UsageError(`one command at a time (got ${positionals.join(' ')})`);
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
      throw new UsageError(command ? `unknown command "${command}"` : 'name a command');
  }
});
