/**
 * Path arithmetic on strings, for code that must run without Node's `path` (the browser-safe
 * core): POSIX rules, `/` as the separator, as `path.posix` computes them. Node's file functions
 * accept `/` on every platform, so the paths built here open on Windows too.
 */

/** `path.posix.normalize`: `.` segments and `x/..` pairs removed, repeated `/` collapsed. */
export function normalizePath(p: string): string {
  if (p === '') return '.';
  const absolute = p.startsWith('/');
  const trailing = p.endsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(seg);
  }
  let s = out.join('/');
  if (s === '' && !absolute) return trailing && p !== '/' ? './' : '.';
  if (trailing && s !== '') s += '/';
  return absolute ? `/${s}` : s;
}

/** `path.posix.join`: the non-empty parts joined by `/`, then normalized. */
export function joinPath(...parts: string[]): string {
  const given = parts.filter((x) => x !== '');
  return given.length === 0 ? '.' : normalizePath(given.join('/'));
}

/** `path.posix.dirname`. */
export function dirnamePath(p: string): string {
  if (p === '') return '.';
  let end = p.length;
  while (end > 1 && p[end - 1] === '/') end--;
  const i = p.lastIndexOf('/', end - 1);
  if (i === -1) return '.';
  return i === 0 ? '/' : p.slice(0, i);
}

/** `path.posix.basename`. */
export function basenamePath(p: string): string {
  let end = p.length;
  while (end > 0 && p[end - 1] === '/') end--;
  if (end === 0) return '';
  return p.slice(p.lastIndexOf('/', end - 1) + 1, end);
}
