#!/usr/bin/env node
import('../dist/cli/index.js').then((m) => m.main(process.argv.slice(2))).catch((err) => {
  process.stderr.write(`tinykube: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
