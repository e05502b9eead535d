#!/usr/bin/env node
// Checks (and where it can, installs) the tools the test suite drives for real: kubectl 1.27-1.33,
// curl, openssl, dig, socat, and util-linux's script/setpriv/unshare/nsenter (terminals in tests,
// pod processes that die with the kubelet, pod sandboxes as root). Says clearly what is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const problems = [];

// Debian packages we can install ourselves when running as root (CI and fresh machines are root).
const APT = { curl: 'curl', openssl: 'openssl', dig: 'dnsutils', nslookup: 'dnsutils', socat: 'socat', script: 'bsdutils', setpriv: 'util-linux', unshare: 'util-linux', nsenter: 'util-linux' };
const missing = Object.keys(APT).filter((c) => !has(c));
if (missing.length > 0) {
  const pkgs = [...new Set(missing.map((c) => APT[c]))];
  if (process.getuid?.() === 0 && has('apt-get')) {
    process.stdout.write(`test-prereqs: installing ${pkgs.join(' ')} with apt-get\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
      r = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
    }
  }
  for (const c of missing) if (!has(c)) problems.push(`${c} is missing: install the Debian package "${APT[c]}" (apt-get install ${APT[c]})`);
}

// kubectl: the dispatcher plus kubectl.1.27 ... kubectl.1.33 side by side (Google Cloud SDK's
// kubectl package ships them so). It is not in Debian's archive, so we cannot install it here.
if (!has('kubectl')) {
  problems.push('kubectl is missing: the tests drive the real kubectl 1.27-1.33 (the "kubectl" package of the Google Cloud SDK apt repository ships kubectl.1.27 ... kubectl.1.33 beside the dispatcher)');
} else {
  const which = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
  const dir = dirname(realpathSync(which));
  const absent = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'].filter((v) => !existsSync(join(dir, `kubectl.${v}`)));
  if (absent.length > 0) problems.push(`kubectl versions missing beside ${which}: ${absent.map((v) => `kubectl.${v}`).join(', ')}`);
}

// Cluster DNS answers on port 53 of kube-dns's address, and the DNS tests run an upstream on 53.
if (process.getuid?.() !== 0) {
  let start = 1024;
  try {
    start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  } catch {
    // not Linux, or no procfs: assume the classic limit
  }
  if (start > 53) problems.push(`the DNS tests bind port 53: run them as root, or allow it: sysctl -w net.ipv4.ip_unprivileged_port_start=53`);
}

if (problems.length > 0) {
  process.stderr.write(`test-prereqs: cannot run the tests:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('test-prereqs: kubectl 1.27-1.33, curl, openssl, dig, nslookup, socat, script, setpriv, unshare, nsenter present\n');
