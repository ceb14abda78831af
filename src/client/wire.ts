/**
 * Reading what the server sends with the wire schemas (src/lib/protocol.ts,
 * protocol-classroom.ts) instead of casting it: a fetch answer, a line of an
 * NDJSON stream, a terminal frame, an SSE event. Something that does not
 * match its schema (a proxy's page, a server of another version, a bug)
 * becomes an Error whose sentence names the first problem, which the page
 * shows where it shows any failure, rather than a TypeError deep in a view.
 */
import type { z } from 'zod';
import { LineSplitter } from '../lib/lines.ts';

/** The first problem of a failed parse, as a clause: `"files.0.name": expected string`. */
function problem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'it does not match the protocol';
  const where = issue.path.length ? `"${issue.path.join('.')}": ` : '';
  return `${where}${issue.message}`;
}

/** `value` as `schema` says, or an Error saying what of `what` was malformed. */
export function parseAnswer<S extends z.ZodType>(schema: S, value: unknown, what = "the server's answer"): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new Error(`${what} could not be read (${problem(result.error)})`);
}

/** A successful response's JSON body, checked against `schema`. */
export async function readAnswer<S extends z.ZodType>(res: Response, schema: S): Promise<z.output<S>> {
  let value: unknown;
  try {
    value = await res.json();
  } catch {
    throw new Error("the server's answer could not be read (it is not JSON)");
  }
  return parseAnswer(schema, value);
}

/** A text of JSON (an SSE event's data) as `schema` says, or an Error saying what was malformed. */
export function parseJson<S extends z.ZodType>(schema: S, text: string, what: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${what} could not be read (it is not JSON)`);
  }
  return parseAnswer(schema, value, what);
}

/**
 * One event of a stream whose clients ignore types they do not know (the run
 * and check streams, the terminal's frames): the event, or null for a blank
 * line, a line that is not a JSON object with a string `type`, or a type the
 * schema does not know. A known type with the wrong fields is an Error.
 */
export function parseEvent<S extends z.ZodType<{ type: string }>>(schema: S, text: string): z.output<S> | null {
  if (!text.trim()) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || typeof (value as { type?: unknown }).type !== 'string') return null;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // A discriminated union's answer for a type it has no option for: a newer server's event, ignored.
  const first = result.error.issues[0];
  if (first?.code === 'invalid_union' && first.path.length === 1 && first.path[0] === 'type') return null;
  const type = JSON.stringify((value as { type: string }).type.slice(0, 40));
  throw new Error(`the server sent a ${type} event that could not be read (${problem(result.error)})`);
}

/** Each line of a streamed text body (NDJSON), as it arrives; the last one even without a newline. */
export async function readLines(body: NonNullable<Response['body']>, line: (text: string) => void): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const lines = new LineSplitter();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const text of lines.push(value)) line(text);
  }
  line(lines.end());
}
