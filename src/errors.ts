/**
 * The one error hierarchy. Every error has a stable code. A UserError is the operator's to fix and
 * prints as a short message; anything else is a bug and prints a stack with a request to report it.
 */
export abstract class SftpTenantsError extends Error {
  abstract readonly code: string;
}

export abstract class UserError extends SftpTenantsError {}

/** The configuration is invalid; the problems have already been printed. */
export class ConfigError extends UserError {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problemCount: number, fileCount: number) {
    super(`${problemCount} problem${problemCount === 1 ? '' : 's'} in ${fileCount} file${fileCount === 1 ? '' : 's'}; nothing was changed`);
  }
}

export class UsageError extends UserError {
  readonly code = 'USAGE';
}

export class InternalError extends SftpTenantsError {
  readonly code = 'INTERNAL';
}
