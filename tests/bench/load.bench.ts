/**
 * pnpm bench:load — the whole system under steady load (tests/bench/load.run.ts): LOAD_RATE
 * (default 1,000) police records a second POSTed to ingest-police in batches, through Kafka, the
 * correlator and the hub's store, for LOAD_MINUTES (default 60, the issue's full run; the fault
 * suite's 5-minute form runs in CI), each service its own process, with PROBE_RATE water readings a
 * second timed to their warning's Socket.IO push. Every SAMPLE_SECONDS it prints what was sent and
 * accepted, the probes' latency, each service's resident memory, the correlator's consumer lag and
 * how far the hub's event store is behind; at the end what was lost and doubled.
 *
 * Exit status 1 when anything was lost or doubled, or no probe came through.
 */
import { benchEnvironment } from './support.ts';
import { loadReport, runLoad } from './load.run.ts';

const env = await benchEnvironment();
const result = await runLoad(env, {
  minutes: Number(process.env['LOAD_MINUTES'] ?? 60),
  rate: Number(process.env['LOAD_RATE'] ?? 1000),
  probeRate: Number(process.env['PROBE_RATE'] ?? 2),
  sampleSeconds: Number(process.env['SAMPLE_SECONDS'] ?? 30),
});
console.log(`\n${loadReport(result)}`);
await env.close();
process.exit(result.lost === 0 && result.doubled === 0 && result.probes.n > 0 ? 0 : 1);
