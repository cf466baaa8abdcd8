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

/** The credentials belong to another account than the platform file names. */
export class AccountMismatchError extends UserError {
  readonly code = 'ACCOUNT_MISMATCH';
}

/** An AWS call failed; the message names the resource, the operation and AWS's own words. */
export class AwsError extends UserError {
  readonly code = 'AWS';
  constructor(
    readonly resource: string,
    readonly operation: string,
    readonly awsMessage: string,
  ) {
    super(`${resource}: ${operation} failed: ${awsMessage}`);
  }

  static from(resource: string, err: unknown): AwsError {
    if (err instanceof AwsError) return err;
    const e = err as { name?: string; message?: string; $metadata?: unknown };
    const operation = (err as { $operation?: string }).$operation ?? 'AWS call';
    return new AwsError(resource, operation, `${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
  }
}

export class InternalError extends SftpTenantsError {
  readonly code = 'INTERNAL';
}

/** Another apply holds the lock. */
export class LockHeldError extends UserError {
  readonly code = 'LOCK_HELD';
}

/** A saved plan no longer matches the configuration or live state. */
export class StalePlanError extends UserError {
  readonly code = 'STALE_PLAN';
}

/** Isolation between tenants would not be proven after apply. */
export class IsolationError extends UserError {
  readonly code = 'ISOLATION';
}

/** A GitHub API call failed (the workflows' glue). */
export class GitHubError extends UserError {
  readonly code = 'GITHUB';
}
