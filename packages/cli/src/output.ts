/** A stream the CLI writes to: process.stdout and process.stderr, or a test's recorder. */
export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Where the results go. `--json`: exactly one JSON document on stdout, errors as JSON on stderr,
 * nothing else. Otherwise lines for people; progress lines only on a terminal's stderr. There are
 * no colors at all, so NO_COLOR and dumb terminals are honored by construction.
 */
export class Output {
  /** Whether a progress line is redrawn in place (a person at a terminal, not --json). */
  readonly live: boolean;

  constructor(
    private readonly stdout: Sink,
    private readonly stderr: Sink,
    readonly json: boolean,
  ) {
    this.live = !json && stderr.isTTY === true;
  }

  /** The command's result: its JSON document, or its lines for people. Called once per run. */
  result(document: unknown, human: string | readonly string[]): void {
    if (this.json) {
      this.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      return;
    }
    const lines = typeof human === 'string' ? [human] : human;
    if (lines.length > 0) this.stdout.write(`${lines.join('\n')}\n`);
  }

  /** Something for people on the side (a warning, where a file went); never in --json mode. */
  note(line: string): void {
    if (!this.json) this.stderr.write(`${line}\n`);
  }

  /** The run's failure: one line (plus the API's details) for people, or `{error}` as JSON. */
  error(failure: { code: string; message: string; details?: unknown }): void {
    if (this.json) {
      const { code, message, details } = failure;
      this.stderr.write(
        `${JSON.stringify({ error: { code, message, ...(details === undefined ? {} : { details }) } })}\n`,
      );
      return;
    }
    const details = failure.details === undefined ? '' : `\n  details: ${JSON.stringify(failure.details)}`;
    this.stderr.write(`mailroom: ${failure.message}${details}\n`);
  }

  /** A line redrawn in place on stderr while something runs; a no-op when not live. */
  progress(): ProgressLine {
    return new ProgressLine(this.live ? this.stderr : undefined);
  }
}

/** One line of stderr redrawn in place (at most 10 times a second), ended by `done()`. */
export class ProgressLine {
  private drawn = false;
  private last = 0;

  constructor(private readonly sink: Sink | undefined) {}

  update(text: string, force = false): void {
    if (!this.sink) return;
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const width = Math.max(20, (this.sink.columns ?? 100) - 1);
    // \r and "erase line": the new text replaces the old even when it is shorter.
    this.sink.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    this.drawn = true;
  }

  done(): void {
    if (this.sink && this.drawn) this.sink.write('\n');
    this.drawn = false;
  }
}

/** `██████░░░░` for a share in [0, 1]. */
export function bar(share: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, share)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** `0:42`, `12:05`, `3:02:10`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}

/** `5,000` (grouped, locale-independent so scripts and tests see the same text). */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
