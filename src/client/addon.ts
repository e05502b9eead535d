// Loading the project's Node-API addons (native/*.c, built by `npm ci` with node-gyp into
// build/Release): the addon, or why there is none, so the caller can fall back to JavaScript.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type AddonLoad<T> = { addon: T; reason?: undefined } | { addon: undefined; reason: string };

/** build/Release/<name>.node of this package (from src/ and dist/ alike). */
export function loadAddon<T>(name: string): AddonLoad<T> {
  const root = packageRoot();
  if (!root) return { addon: undefined, reason: 'package.json not found above ' + dirname(fileURLToPath(import.meta.url)) };
  const file = join(root, 'build', 'Release', `${name}.node`);
  if (!existsSync(file)) return { addon: undefined, reason: `${file} is missing; npm ci builds it with node-gyp` };
  try {
    return { addon: createRequire(join(root, 'package.json'))(file) as T };
  } catch (err) {
    return { addon: undefined, reason: `cannot load ${file}: ${(err as Error).message}` };
  }
}

/** The nearest directory above this file with a package.json. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
