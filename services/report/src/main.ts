/** `pnpm report …`: see report.cli.ts. Exit 2 for a usage or request error, 1 for anything else. */
import { runReportCli, UsageError } from './report.cli.ts';

runReportCli(process.argv.slice(2), process.env).then(
  (files) => {
    for (const f of files) process.stdout.write(`${f}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`report: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
