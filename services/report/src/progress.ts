/** A progress bar on stderr (redrawn in place on a terminal, one line per step otherwise). */
export interface Progress {
  tick(label: string): void;
  done(label: string): void;
}

export function progressBar(
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  width = 30,
): Progress {
  let done = 0;
  const draw = (label: string, end = false) => {
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}`;
    if (stream.isTTY) stream.write(`\r\x1b[2K${line}${end ? '\n' : ''}`);
    else stream.write(`${line}\n`);
  };
  draw('starting');
  return {
    tick(label) {
      done = Math.min(total, done + 1);
      draw(label);
    },
    done(label) {
      done = total;
      draw(label, true);
    },
  };
}
