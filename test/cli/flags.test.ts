/**
 * The command line takes TensorFlow's flag forms (issue #13): `--flag value` and `--flag=value`,
 * bare booleans, TF 1.x/2.x names, ignored flags with a note; unknown flags and commands get
 * graft's did-you-mean (never Node's parser text); `graft help CMD`.
 */
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/args';
import { main } from '../../src/cli/main';

const OPTS = {
  in_graph: { type: 'string' },
  input_binary: { type: 'string', bare: true },
  json: { type: 'boolean' },
  input: { type: 'string', multiple: true },
  allow: { type: 'string', aliases: ['whitelist'] },
  input_saver: { type: 'string', ignored: 'not needed' },
} as const;

function usageError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect((e as { code: string }).code).toBe('cli/usage');
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => void out.push(t), err: (t) => void err.push(t), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('parseFlags', () => {
  it('--flag=value and --flag value; values may start with a dash', () => {
    expect(parseFlags(['--in_graph=a.pb'], OPTS, 'u').values.in_graph).toBe('a.pb');
    expect(parseFlags(['--in_graph', 'a.pb', 'pos'], OPTS, 'u')).toMatchObject({ values: { in_graph: 'a.pb' }, positionals: ['pos'] });
    expect(parseFlags(['--in_graph', '-weird.pb'], OPTS, 'u').values.in_graph).toBe('-weird.pb');
  });

  it('bare booleans (freeze_graph style): alone, =value, or a following true/false word', () => {
    expect(parseFlags(['--input_binary'], OPTS, 'u').values.input_binary).toBe('true');
    expect(parseFlags(['--input_binary=false'], OPTS, 'u').values.input_binary).toBe('false');
    expect(parseFlags(['--input_binary', 'false', 'x'], OPTS, 'u')).toMatchObject({ values: { input_binary: 'false' }, positionals: ['x'] });
    expect(parseFlags(['--input_binary', '--json'], OPTS, 'u').values).toMatchObject({ input_binary: 'true', json: true });
    expect(parseFlags(['--json=false'], OPTS, 'u').values.json).toBe(false);
    expect(parseFlags(['--nojson'], OPTS, 'u').values.json).toBe(false);
  });

  it('repeated flags, aliases, ignored flags with a note, -- ends flags', () => {
    expect(parseFlags(['--input', 'a=1', '--input=b=2'], OPTS, 'u').values.input).toEqual(['a=1', 'b=2']);
    expect(parseFlags(['--whitelist=v'], OPTS, 'u').values.allow).toBe('v');
    expect(parseFlags(['--input_saver=s.pb'], OPTS, 'u').notes).toEqual(['note: --input_saver is accepted and ignored: not needed']);
    expect(parseFlags(['--', '--json'], OPTS, 'u').positionals).toEqual(['--json']);
  });

  it('an unknown flag gets a did-you-mean, a missing value says how to give one', () => {
    expect(usageError(() => parseFlags(['--in_grap=x'], OPTS, 'u'))).toMatch(/^Unknown flag --in_grap \(did you mean --in_graph\?\)/);
    expect(usageError(() => parseFlags(['--in_graph'], OPTS, 'u'))).toMatch(/--in_graph needs a value/);
    expect(usageError(() => parseFlags(['--json=maybe'], OPTS, 'u'))).toMatch(/--json takes true or false/);
  });
});

describe('commands', () => {
  it('an unknown command suggests the closest, and TensorFlow tool names map to graft commands', async () => {
    expect((await cli('optimise')).err).toMatch(/Unknown command 'optimise' \(did you mean 'optimize'\?\)/);
    expect((await cli('freeze_graph')).err).toMatch(/did you mean 'freeze'\?/);
    expect((await cli('summarize_graph')).err).toMatch(/did you mean 'summarize'\?/);
  });

  it('graft help CMD prints that command’s usage, exit 0', async () => {
    const r = await cli('help', 'freeze');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: graft freeze/);
    expect(r.out).toMatch(/--input_binary/);
  });

  it('freeze_graph flags TensorFlow tutorials use are accepted (with notes), not refused by the parser', async () => {
    // Everything parses; the run then fails on the missing file, not on a flag.
    const r = await cli('freeze', '--input_graph=/nonexistent/g.pb', '--input_binary', '--input_checkpoint=/nonexistent/m.ckpt', '--output_node_names=out',
      '--output_graph=/nonexistent/f.pb', '--restore_op_name=save/restore_all', '--filename_tensor_name=save/Const:0', '--clear_devices', '--initializer_nodes=',
      '--input_saver=', '--checkpoint_version=2', '--variable_names_denylist=a', '--variable_names_allowlist=');
    expect(r.err).not.toMatch(/positional argument|Unknown flag/);
    expect(r.err).toMatch(/note: --restore_op_name is accepted and ignored/);
    expect(r.err).toMatch(/graft: error \[io\/not-found\]/);
  });
});

describe('names', () => {
  it("transform --outputs=softmx suggests the node 'softmax'", async () => {
    const { graphBuilder } = await import('../../src/ir/builder');
    const { saveGraph } = await import('../../src/io/model-files');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const b = graphBuilder();
    b.placeholder('x', 'float', [1, 2]);
    b.op('Softmax', ['x'], {}, 'softmax');
    const dir = mkdtempSync(path.join(tmpdir(), 'graft-flags-'));
    await saveGraph(b.graph(), path.join(dir, 'g.pb'));
    const r = await cli('transform', `--in_graph=${path.join(dir, 'g.pb')}`, `--out_graph=${path.join(dir, 'o.pb')}`, '--inputs=x', '--outputs=softmx', '--transforms=strip_unused_nodes');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/'softmx' is missing \(did you mean 'softmax'\?\)/);
  });
});
