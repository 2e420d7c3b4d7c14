import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/** One structured JSON logger for the process; request logs carry the request id (pino-http). */
export function createRootLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'results-sharing-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Tokens and client secrets must never reach a log line.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'client_secret'], censor: '[redacted]' },
  });
}

/** Nest's own log lines (bootstrap, module init) through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
