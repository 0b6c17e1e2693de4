/**
 * How many cases each fuzz property runs, and from which seed. CI (`CI=true`) uses a fixed seed so a
 * run is repeatable and a merge is never decided by luck; elsewhere each run explores new cases.
 * `FUZZ_SEED=<n>` replays a failure (fast-check prints the seed), `FUZZ_RUNS=<n>` explores longer.
 */
const CI_SEED = 424242;

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return value;
}

export const FUZZ_RUNS = envInt('FUZZ_RUNS') ?? 200;

export const fuzzOptions: { numRuns: number; seed?: number } = {
  numRuns: FUZZ_RUNS,
  seed: envInt('FUZZ_SEED') ?? (process.env.CI ? CI_SEED : undefined),
};
