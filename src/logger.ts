import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stderr (stdout carries command output); one logger per process. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    { level, base: { app: 'et-ledger' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination as pino.DestinationStream,
  );
}
