/** The package version, read once from package.json (two levels up from src/ and from dist/). */
export const VERSION = (require('../package.json') as { version: string }).version;
