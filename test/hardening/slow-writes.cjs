// Preloaded (node --require) into graft by the interrupt tests: every file write waits a few
// milliseconds first, so that a write of many files lasts long enough for a signal to land in
// its middle however loaded the machine is. Reads are untouched.
'use strict';
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');

const ms = Number(process.env.GRAFT_TEST_SLOW_WRITES_MS || '5');
for (const name of ['writeFile', 'copyFile']) {
  const original = fs.promises[name];
  fs.promises[name] = async function slowed(...args) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return original.apply(this, args);
  };
}
syncBuiltinESMExports();
