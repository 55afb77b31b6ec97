/** Where the shared real models live, and a way to list them. Tests skip when they are absent. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** `GRAFT_MODELS` points elsewhere; the default is `../shared/models` beside the checkout. */
export const MODELS_DIR = path.resolve(process.env.GRAFT_MODELS || path.join(import.meta.dirname, '../../../shared/models'));
export const HAVE_MODELS = existsSync(MODELS_DIR);
export const SKIP_REASON = `${MODELS_DIR} is absent (the shared real models; set GRAFT_MODELS to their folder)`;

export function modelPath(...parts: string[]): string {
  return path.join(MODELS_DIR, ...parts);
}

/** Every file under the models directory, relative to it. */
export function allModelFiles(): string[] {
  if (!HAVE_MODELS) return [];
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(full).isDirectory()) walk(full, r);
      else out.push(r);
    }
  };
  walk(MODELS_DIR, '');
  return out;
}

/** Every loadable model path: SavedModel directories, `.meta` files and GraphDefs (`.pb`/`.pbtxt` that are not saved_model files). */
export function allModelPaths(): string[] {
  const files = allModelFiles();
  const out = new Set<string>();
  for (const f of files) {
    const base = path.basename(f);
    if (base === 'saved_model.pb' || base === 'saved_model.pbtxt') out.add(path.dirname(f));
    else if (f.endsWith('.meta')) out.add(f);
    else if (/\.(pb|pbtxt)$/.test(f) && !['keras_metadata.pb', 'fingerprint.pb'].includes(base)) out.add(f);
  }
  return [...out].sort();
}
