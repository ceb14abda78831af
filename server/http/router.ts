/**
 * The API's router (app.ts: the lab's routes and the classroom's): exact
 * paths like `/api/run` and paths with parameters like
 * `/api/classes/:id/results.csv`. A pattern's segments match literally,
 * except `:name`, which matches one non-empty segment (percent-decoded) and
 * is handed to the handler as params.name. Routes are tried in the order
 * they were added.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Params = Record<string, string>;

/** What app.ts's router holds: a handler with its path's parameters. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: Params) => Promise<void>;

export type Match<H> =
  | { handler: H; params: Params }
  /** The path exists, not with this method: answer 405 with these in Allow. */
  | { allowed: string[] }
  | null;

export class Router<H> {
  readonly #routes: Array<{ method: string; segments: string[]; handler: H }> = [];

  add(method: string, pattern: string, handler: H): this {
    this.#routes.push({ method, segments: pattern.split('/').slice(1), handler });
    return this;
  }

  match(method: string, path: string): Match<H> {
    const parts = path.split('/').slice(1);
    const allowed: string[] = [];
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { handler: route.handler, params };
      allowed.push(route.method);
    }
    return allowed.length ? { allowed: [...new Set(allowed)] } : null;
  }
}

function matchSegments(pattern: string[], parts: string[]): Params | null {
  if (pattern.length !== parts.length) return null;
  const params: Params = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) {
      if (!parts[i]) return null;
      let value: string;
      try {
        value = decodeURIComponent(parts[i]);
      } catch {
        return null; // malformed percent-encoding: no route
      }
      params[pattern[i].slice(1)] = value;
    } else if (pattern[i] !== parts[i]) {
      return null;
    }
  }
  return params;
}
