/**
 * A record of the registered routes, used only to tell "no such path" (404) from "path exists,
 * wrong method" (405 with an Allow header). Fastify answers 404 for both on purpose (see its
 * handle-request.js) and exposes no lookup by concrete path, so errorsPlugin feeds this table from
 * the onRoute hook. Matching is segment by segment and deliberately simple: a segment holding a
 * parameter (`:id`, `:id(^\\d+)`, `:from-:to`) matches any non-empty segment and `*` matches the
 * rest, so a regex-constrained route can at worst turn a 404 into a 405 for a path that route
 * would not have accepted.
 */

interface Entry {
  method: string;
  segments: readonly string[];
  wildcardAt: number;
}

export class RouteTable {
  private readonly entries: Entry[] = [];

  add(methods: string | readonly string[], url: string): void {
    const segments = splitPath(url);
    const wildcardAt = segments.indexOf('*');
    for (const method of typeof methods === 'string' ? [methods] : methods) {
      this.entries.push({ method: method.toUpperCase(), segments, wildcardAt });
    }
  }

  /** The methods routed at this concrete path (no query string), sorted, without duplicates. */
  methodsFor(path: string): string[] {
    const segments = splitPath(path);
    const methods = new Set<string>();
    for (const entry of this.entries) {
      if (matches(entry, segments)) methods.add(entry.method);
    }
    return [...methods].sort();
  }
}

function splitPath(path: string): string[] {
  const q = path.indexOf('?');
  return (q === -1 ? path : path.slice(0, q)).split('/');
}

function matches(entry: Entry, path: readonly string[]): boolean {
  const { segments, wildcardAt } = entry;
  const fixed = wildcardAt === -1 ? segments.length : wildcardAt;
  if (wildcardAt === -1 ? path.length !== segments.length : path.length < fixed) return false;
  for (let i = 0; i < fixed; i++) {
    const want = segments[i] ?? '';
    const got = path[i] ?? '';
    if (want.includes(':') ? got.length === 0 : want !== got) return false;
  }
  return true;
}
