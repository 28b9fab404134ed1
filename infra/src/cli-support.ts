/**
 * What every Liandong command line does alike: `--help`/`-h` prints the usage (exit 0); a user's
 * mistake is one line and the usage (exit 2); a failure is one line (exit 1), never a stack trace
 * (set LIANDONG_DEBUG=1 to see it).
 */
export class UsageError extends Error {}

export async function runCommand(
  name: string,
  usage: string,
  main: (argv: string[]) => Promise<void> | void,
  argv = process.argv.slice(2),
): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    console.log(usage);
    return;
  }
  try {
    await main(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${name}: ${message}\n\n${usage}`);
      process.exitCode = 2;
      return;
    }
    console.error(`${name}: ${message}`);
    if (process.env['LIANDONG_DEBUG']) console.error(error);
    process.exitCode = 1;
  }
}
