import { Logger } from '@aws-lambda-powertools/logger';
import { scrub } from './redact.js';

/**
 * The one structured logger. Service name, level and sampling come from Powertools'
 * standard POWERTOOLS_* variables and LOG_LEVEL. Every string in every log line
 * passes through the redactor, whatever code produced it.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'momento-secret-rotation',
  jsonReplacerFn: (_key: string, value: unknown) => (typeof value === 'string' ? scrub(value) : value),
});
