// Test support: where the real kubectl 1.<minor> binaries are. The machine's `kubectl` is a
// dispatcher that sits beside `kubectl.1.27` ... `kubectl.1.33`.
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

const FALLBACK_DIR = '/usr/lib/google-cloud-sdk/bin';

function kubectlDir(): string {
  try {
    const onPath = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
    if (onPath !== '') return dirname(realpathSync(onPath));
  } catch {
    // not on PATH: fall back to the SDK's directory
  }
  return FALLBACK_DIR;
}

/** The path of kubectl 1.<minor>, or undefined when this machine lacks it. */
export function kubectlBinary(minor: number): string | undefined {
  const path = join(kubectlDir(), `kubectl.1.${minor}`);
  return existsSync(path) ? path : undefined;
}
