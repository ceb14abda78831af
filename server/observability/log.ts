/**
 * The server's log, on pino: one line per event, with a level, a time, a
 * message and fields.
 *
 * LOG_FORMAT=json (the container image sets it): JSON lines on stdout, for a
 * log collector: {"level":"warn","time":"…","pid":…,"hostname":…,"msg":…,…fields}.
 * Otherwise (`npm start` on a terminal) the same events as readable lines,
 * `[lab] message key=value`, warnings and errors on stderr, as before.
 *
 * Never log learner code, program output, file contents, cookies, tokens or
 * passwords: fields are counts, ids of lessons, paths of the server's own
 * directories and error messages of the server's own operations. (Client
 * addresses appear where an operator needs them to act on abuse.)
 */
import { pino, stdTimeFunctions, type DestinationStream } from 'pino';

/** Read here, not in config.ts: the log exists before the configuration is loaded (and reports its errors). */
const FORMAT = process.env.LOG_FORMAT === 'json' ? 'json' : 'text';

export type Fields = Record<string, unknown>;

/** Text mode: pino's JSON line turned back into `[lab] msg k=v`, an error's stack after it. */
const textDestination: DestinationStream = {
  write(line: string) {
    const {
      level,
      msg,
      time: _time,
      pid: _pid,
      hostname: _host,
      err,
      ...fields
    } = JSON.parse(line) as Fields & { level: string; msg: string; err?: { stack?: string; message?: string } };
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const text = `[lab] ${level === 'warn' || level === 'error' ? `${level}: ` : ''}${msg}${extra ? ` (${extra})` : ''}${err ? `\n${err.stack ?? err.message}` : ''}\n`;
    (level === 'warn' || level === 'error' || level === 'fatal' ? process.stderr : process.stdout).write(text);
  },
};

const logger = pino(
  {
    level: 'info',
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  },
  FORMAT === 'json' ? pino.destination({ dest: 1, sync: true }) : textDestination,
);

function emit(level: 'info' | 'warn' | 'error', msg: string, fields?: Fields, err?: unknown): void {
  const obj: Fields = { ...fields };
  if (err !== undefined) obj.err = err instanceof Error ? err : new Error(String(err));
  logger[level](obj, msg);
}

/** The server's log: `log.warn('…', { count })`; errors go last: `log.error('…', fields, err)`. */
export const log = {
  info: (msg: string, fields?: Fields) => emit('info', msg, fields),
  warn: (msg: string, fields?: Fields, err?: unknown) => emit('warn', msg, fields, err),
  error: (msg: string, fields?: Fields, err?: unknown) => emit('error', msg, fields, err),
};
