import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** Issue 13's house rule: a folder with more files side by side than this wants splitting by capability. */
const MAX_FILES_SIDE_BY_SIDE = 15;

/** Every folder under `dir` with its count of TypeScript sources directly in it. */
function sourceCounts(dir: string): Array<{ folder: string; files: number }> {
  const entries = readdirSync(dir, { withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).length;
  return [
    { folder: relative(ROOT, dir), files },
    ...entries.filter((entry) => entry.isDirectory()).flatMap((entry) => sourceCounts(join(dir, entry.name))),
  ];
}

describe('the layout of lambdas/', () => {
  it(`keeps at most ${MAX_FILES_SIDE_BY_SIDE} source files side by side in any folder`, () => {
    const counts = sourceCounts(join(ROOT, 'lambdas'));

    expect(counts.length).toBeGreaterThan(5);
    expect(counts.filter(({ files }) => files > MAX_FILES_SIDE_BY_SIDE)).toEqual([]);
  });

  it('has no grab-bag folder: no shared/, utils/, common/ or helpers/', () => {
    const grabBags = sourceCounts(join(ROOT, 'lambdas'))
      .map(({ folder }) => folder)
      .filter((folder) => /(^|\/)(shared|utils?|common|helpers?|misc)$/.test(folder));

    expect(grabBags).toEqual([]);
  });
});
