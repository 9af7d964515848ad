import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync, type Metafile } from 'esbuild';
import { FUNCTIONS, type FunctionName } from '../../../contract/functions';
import { BUNDLING, REPO_ROOT } from '../../../lib/constructs/mailroom-function';

export interface Bundle {
  /** The bundle's index.js. */
  file: string;
  metafile: Metafile;
}

/**
 * Builds functions as the stack does (esbuild with the house construct's BUNDLING options) into a
 * folder under the repository's node_modules, so Node resolves the SDK the bundles leave out from
 * there, as Lambda resolves it from the runtime's. Each function is built once per test file;
 * `remove` deletes the folder.
 */
export function stackBundler(): { bundleOf(name: FunctionName): Bundle; remove(): void } {
  const root = path.join(REPO_ROOT, 'node_modules', '.cache', 'mailroom-bundles-test');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(path.join(root, 'run-'));
  const built = new Map<FunctionName, Bundle>();
  return {
    bundleOf(name) {
      const cached = built.get(name);
      if (cached) return cached;
      const file = path.join(dir, name, 'index.js');
      const { metafile } = buildSync({
        ...BUNDLING,
        external: [...BUNDLING.external],
        entryPoints: [path.join(REPO_ROOT, FUNCTIONS[name].entry)],
        bundle: true,
        metafile: true,
        outfile: file,
        logLevel: 'silent',
      });
      const bundle = { file, metafile };
      built.set(name, bundle);
      return bundle;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
