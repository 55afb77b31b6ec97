/** `graft --version` / `-v` print the version package.json declares (no hard-coded copy). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { VERSION } from '../../src/version';

const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as { name: string; version: string; license: string };

describe('graft --version', () => {
  for (const flag of ['--version', '-v']) {
    it(`${flag} prints package.json's version`, async () => {
      const out: string[] = [];
      const code = await main([flag], { out: (t) => void out.push(t), err: () => {}, interactive: false });
      expect(code).toBe(0);
      expect(out.join('')).toBe(`graft ${pkg.version}`);
    });
  }
  it('the library exports the same version', () => {
    expect(VERSION).toBe(pkg.version);
  });
  it('the package is published as tf-graft with an Apache-2.0 LICENSE file', () => {
    expect(pkg.name).toBe('tf-graft');
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(path.join(import.meta.dirname, '../../LICENSE'), 'utf8')).toContain('Apache License');
  });
});
