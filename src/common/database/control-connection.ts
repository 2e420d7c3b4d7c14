/**
 * The name of the API's second, small connection pool: token endpoint, token checks and health
 * use it, so that gated pages filling the main pool cannot starve them (docs/operations.md,
 * "Database limits").
 */
export const CONTROL_CONNECTION = 'control';
