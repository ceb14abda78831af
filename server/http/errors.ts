/**
 * The one error a handler throws to answer with a status: app.ts turns it
 * into `{"error": message}` (src/lib/protocol.ts's ErrorBody) with that
 * status, whatever the status is (400, 404, 409, 413, 415, ...).
 */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}
