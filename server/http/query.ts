/** A request's query parameters. */
import type { IncomingMessage } from 'node:http';

/** The query parameter `name` of the request's URL, or null when absent. */
export function queryParam(req: IncomingMessage, name: string): string | null {
  return new URL(req.url ?? '/', 'http://lab').searchParams.get(name);
}
