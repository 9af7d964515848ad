import { writeFileSync } from 'node:fs';

/** mulberry32: a small seeded generator, so a run (or a failing test) can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The p-th percentile (0–100) of `values`, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export const round = (value: number, digits = 3) => Number(value.toFixed(digits));

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `probe` every `everyMs` until it returns true or `timeoutMs` passes; resolves whether it did. */
export async function until(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(everyMs);
  }
  return false;
}

/** A scenario's command line: `--name value` pairs, all strings, plus `--out` for the result file. */
export function scenarioArgs(argv: string[] = process.argv.slice(2)): Record<string, string> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i] ?? '';
    if (!name.startsWith('--')) throw new Error(`expected --name value, got "${name}"`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
    args[name.slice(2)] = value;
    i++;
  }
  return args;
}

/** Writes a scenario's result where the orchestrator asked for it (or prints it). */
export function writeResult(out: string | undefined, result: unknown): void {
  const text = JSON.stringify(result, null, 2);
  if (out) writeFileSync(out, text);
  else console.log(text);
}

/** A scenario's entry point: exits 0 when `main` resolves, 1 (with the error) when it throws. */
export function runScenario(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
