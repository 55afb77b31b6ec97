// Preloaded (node --require) into graft by the interrupt tests: every file write waits a few
// milliseconds first, so that a write of many files lasts long enough for a signal to land in
// its middle however loaded the machine is. Reads are untouched. graft opens its outputs with
// fs.promises.open (flags 'w'/'wx'), and some paths still call writeFile/copyFile: all are slowed.
'use strict';
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');

const ms = Number(process.env.GRAFT_TEST_SLOW_WRITES_MS || '5');
const pause = () => new Promise((resolve) => setTimeout(resolve, ms));
const WRITE_BITS = fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT;
const writes = (flags) => (typeof flags === 'string' ? /[wa+]/.test(flags) : typeof flags === 'number' && (flags & WRITE_BITS) !== 0);

for (const name of ['writeFile', 'copyFile']) {
  const original = fs.promises[name];
  fs.promises[name] = async function slowed(...args) {
    await pause();
    return original.apply(this, args);
  };
}
const open = fs.promises.open;
fs.promises.open = async function slowedOpen(path, flags, ...rest) {
  if (writes(flags)) await pause();
  return open.call(this, path, flags, ...rest);
};
syncBuiltinESMExports();
