import { describe, expect, it } from 'vitest';
import { compareRuns, median, parseBenchTables } from '../../bench/compare.ts';

const RUN = `### Launcher

| DB | load | launches/s | errors | launch | CPU-ms/launch | launches/CPU-s |
|---|---|---|---|---|---|---|
| sqlite | c=1 | 150.2 | 0 | 1.0 / 2.0 | 5.11 | 196 |
| sqlite | open loop 210/s | 209.0 | 0 | 1.0 / 2.0 | 4.00 | 250 |
| postgres | c=16 | 144.3 | 0 | 1.0 / 2.0 | 6.50 | 154 |

Targets: a line that is not a table.

| server | load | launches/s | errors | lms | CPU-ms/launch | cores used |
|---|---|---|---|---|---|---|
| ltijs (postgres) | c=1 | 50.0 | 0 | – | 20.00 | 1.00 |

| t (s) | launches | errors | RSS MB |
|---|---|---|---|
| 0 | 10 | 0 | 140 |
`;

describe('the before/after bench', () => {
  it('reads every table row with a throughput and a CPU column, leaving out open-loop rows and other tables', () => {
    expect(parseBenchTables(RUN)).toEqual([
      { key: 'launches/s · sqlite c=1', launchesPerSec: 150.2, cpuMsPerLaunch: 5.11 },
      { key: 'launches/s · postgres c=16', launchesPerSec: 144.3, cpuMsPerLaunch: 6.5 },
      { key: 'launches/s · ltijs (postgres) c=1', launchesPerSec: 50, cpuMsPerLaunch: 20 },
    ]);
  });

  it('takes medians of odd and even counts and ignores figures a run could not give', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it('compares the medians row by row: after ÷ before for throughput and for CPU', () => {
    const row = (launchesPerSec: number, cpuMsPerLaunch: number) => [{ key: 'launches/s · sqlite c=1', launchesPerSec, cpuMsPerLaunch }];
    const [compared] = compareRuns([row(100, 5), row(120, 4), row(110, 6)], [row(99, 5), row(121, 5.5), row(132, 5.5)]);
    expect(compared).toEqual(['launches/s · sqlite c=1', '110.0 (100, 120, 110)', '121.0 (99, 121, 132)', '1.10', '5.00 → 5.50', '1.10']);
  });
});
