/**
 * The transform reference (docs/transforms.md), generated from a registry's metadata so that it
 * cannot drift from the code: one schema declaration drives parsing, the builder, validation and
 * this page.
 */
import type { ParamSpec, Transform } from './define';
import type { Registry } from './registry';
import { formatParamValue, IGNORE_ERRORS } from './params';

/** Escapes text for a markdown table cell (pipes and line breaks would end the cell or row). */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  // A backtick inside needs a longer fence.
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function typeOf(spec: ParamSpec): string {
  let t: string = spec.kind;
  if (spec.kind === 'enum') t = `enum: ${(spec.values ?? []).map(code).join(', ')}`;
  if (spec.kind === 'shape') t = 'shape (e.g. `1,28,28`; `-1` or `?` unknown)';
  if (spec.kind === 'dtype') t = 'dtype (e.g. `float`, `int32`)';
  const bounds: string[] = [];
  if (spec.min !== undefined) bounds.push(`>= ${spec.min}`);
  if (spec.max !== undefined) bounds.push(`<= ${spec.max}`);
  return bounds.length > 0 ? `${t} (${bounds.join(', ')})` : t;
}

function defaultOf(spec: ParamSpec): string {
  if (spec.repeated) {
    const values = (spec.default ?? []) as readonly unknown[];
    return values.length === 0 ? 'none' : values.map((v) => code(formatParamValue(spec, v))).join(', ');
  }
  return spec.default === undefined ? 'none' : code(formatParamValue(spec, spec.default));
}

/** GitHub-style heading anchor for a transform name (names are `[A-Za-z0-9_]+`). */
function anchor(name: string): string {
  return name.toLowerCase();
}

function section(registry: Registry, t: Transform): string[] {
  const out: string[] = [`## ${t.name}`, ''];
  const aliases = registry.aliasesOf(t.name);
  if (aliases.length > 0) {
    out.push(`Aliases: ${aliases.map((a) => `${code(a.name)}${a.deprecated !== undefined ? ` (deprecated: ${a.deprecated})` : ' (deprecated)'}`).join(', ')}`, '');
  }
  out.push(t.summary, '');
  if (t.description !== undefined && t.description.trim() !== '') out.push(t.description.trim(), '');
  if (t.lossy === true) out.push('Lossy: yes (changes output values on purpose; `graft optimize` measures the difference instead of failing on it)', '');
  if (t.requires.length > 0) out.push(`Usually runs after: ${t.requires.map((r) => (registry.has(r) ? `[${code(r)}](#${anchor(r)})` : code(r))).join(', ')}`, '');
  const params = Object.entries(t.params);
  if (params.length === 0) {
    out.push(`Parameters: none (besides ${code(IGNORE_ERRORS)}).`, '');
  } else {
    out.push('| parameter | type | repeated | default | description |', '| --- | --- | --- | --- | --- |');
    for (const [key, spec] of params) {
      const doc = spec.deprecated !== undefined ? `${spec.doc} **Deprecated:** ${spec.deprecated}` : spec.doc;
      out.push(`| ${code(key)} | ${cell(typeOf(spec))} | ${spec.repeated ? 'yes' : 'no'} | ${cell(defaultOf(spec))} | ${cell(doc)} |`);
    }
    out.push('');
  }
  const counters = Object.entries(t.counters ?? {});
  if (counters.length > 0) {
    out.push('| counter | counts |', '| --- | --- |');
    for (const [name, doc] of counters) out.push(`| ${code(name)} | ${cell(doc)} |`);
    out.push('');
  }
  const codes = Object.entries(t.codes ?? {});
  if (codes.length > 0) {
    out.push('| diagnostic code | severity | meaning |', '| --- | --- | --- |');
    for (const [name, spec] of codes) out.push(`| ${code(`${t.name}/${name}`)} | ${spec.severity} | ${cell(spec.doc)} |`);
    out.push('');
  }
  return out;
}

/**
 * The markdown reference of every transform in `registry`, sorted by name: aliases, summary,
 * description, soft prerequisites, a parameter table, and the declared counters and diagnostic
 * codes. Deterministic (no dates), so a test can
 * compare it with the committed file.
 *
 * @example
 * ```ts
 * writeFileSync('docs/transforms.md', generateTransformDocs(createRegistry()));
 * ```
 */
export function generateTransformDocs(registry: Registry): string {
  const transforms = registry.list();
  const out: string[] = [
    '# Transform reference',
    '',
    '<!-- Generated from the registry by scripts/generate-docs.ts (`npm run docs`). Do not edit by hand. -->',
    '',
    'Transforms are written in TensorFlow\'s transform syntax, `name(key=value, key="quoted,value")`, or added with the typed',
    'builder, `pipeline().use(transform, { camelCaseKey: value })`. Every transform also accepts `ignore_errors=true`: an error',
    'in that step becomes a diagnostic and the pipeline continues with the graph from before the step.',
    '',
  ];
  if (transforms.length === 0) {
    out.push('No transforms are registered.', '');
  } else {
    out.push('| transform | summary |', '| --- | --- |');
    for (const t of transforms) out.push(`| [${code(t.name)}](#${anchor(t.name)}) | ${cell(t.summary)} |`);
    out.push('');
    for (const t of transforms) for (const item of section(registry, t)) out.push(item);
  }
  return `${out.join('\n').trimEnd()}\n`;
}
