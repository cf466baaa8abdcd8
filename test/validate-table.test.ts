/**
 * The bad-input table: every named mistake must fail validation with exit code 1, naming the file,
 * the line of the offending YAML node, the field, and a helpful message. The fixed clock is
 * 2026-12-01.
 */
import { publicKey } from './helpers/keys';
import { EXAMPLE_PLATFORM, makeConfigDir } from './helpers/config-dir';
import { runCli } from './helpers/cli';

const KEY_A = publicKey('ed25519', 'a@example');
const BCRYPT_12 = '$2b$12$C6UzMDM.H6dfI/f/IKxGhuSORQZvdCgy4E4TT6eSV9AOqD9g/2zAi';
const ARGON2ID = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Ykq0Yc3PdCvZlGkZ0iFQnXNi6rmSmLZ9bYgVUK2n3kM';

/** A valid tenant; each case below changes one thing in it. */
const base = (name = 'acme') => `# yaml-language-server: $schema=../schema/tenant.schema.json
name: ${name}
description: Acme test tenant
owner:
  email: ops@acme.example
allowedCidrs:
  - 198.51.100.0/24
users:
  - name: ${name}-ops
    passwordHash: ${BCRYPT_12}
    publicKeys:
      - ${KEY_A}
    allowedCidrs:
      - 198.51.100.16/28
    expires: "2027-06-30"
    folders:
      - path: /inbound
        access: write-only
      - path: /outbound
        access: read-only
`;

const other = (name: string, user: string, key = publicKey('ed25519')) => `name: ${name}
description: Another tenant
owner:
  email: ops@${name}.example
allowedCidrs:
  - 192.0.2.0/24
users:
  - name: ${user}
    publicKeys:
      - ${key}
    folders:
      - path: /data
        access: read-write
`;

function swap(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`test bug: ${JSON.stringify(from)} not in the base tenant`);
  return text.replace(from, to);
}

interface Case {
  /** Files under tenants/; the checked file is the first one unless `file` says otherwise. */
  files: Record<string, string>;
  platform?: string;
  file?: string;
  /** A substring of the line the problem must point at, in the checked file. */
  at: string;
  field: string;
  message: string;
}

const longFolders = Array.from({ length: 14 }, (_, i) => `      - path: /clients/settlement-instructions-${String(i).padStart(2, '0')}\n        access: read-write\n`).join('');

const cases: Record<string, Case> = {
  'YAML syntax error': { files: { 'acme.yaml': swap(base(), 'description: Acme test tenant', 'description: "Acme test tenant') }, at: 'description:', field: '(document)', message: 'YAML syntax error' },
  'repeated key': { files: { 'acme.yaml': swap(base(), 'description: Acme test tenant', 'description: Acme\ndescription: again') }, at: 'description: again', field: '(document)', message: 'YAML syntax error: Map keys must be unique' },
  'unknown key (typo) with suggestion': { files: { 'acme.yaml': swap(base(), '    passwordHash:', '    pasword_hash:') }, at: 'pasword_hash', field: 'users[0].pasword_hash', message: 'unknown field "pasword_hash"; did you mean "passwordHash"?' },
  'unknown top-level key': { files: { 'acme.yaml': `${base()}colour: blue\n` }, at: 'colour:', field: 'colour', message: 'unknown field "colour"' },
  'missing required field': { files: { 'acme.yaml': swap(base(), 'description: Acme test tenant\n', '') }, at: 'name: acme', field: 'description', message: 'required field "description" is missing' },
  'wrong type': { files: { 'acme.yaml': swap(base(), 'users:\n', 'storage:\n  versioning: "yes"\nusers:\n') }, at: 'versioning:', field: 'storage.versioning', message: 'expected boolean' },
  'tenant name not DNS-safe': { files: { 'Acme_Co.yaml': base('Acme_Co') }, at: 'name: Acme_Co', field: 'name', message: 'DNS-safe' },
  'tenant name too long for the names it feeds': { files: { [`${'a'.repeat(46)}.yaml`]: base('a'.repeat(46)) }, at: `name: ${'a'.repeat(46)}`, field: 'name', message: 'at most 45 fit the bucket name' },
  'reserved tenant name': { files: { 'control.yaml': base('control') }, at: 'name: control', field: 'name', message: '"control" is reserved' },
  'file name does not match tenant name': { files: { 'acme-corp.yaml': base('acme') }, at: 'name: acme', field: 'name', message: 'does not match its file name' },
  'duplicate tenant names (acme.yaml and acme.yml)': { files: { 'acme.yaml': base(), 'acme.yml': other('acme', 'acme-second') }, file: 'acme.yml', at: 'name: acme', field: 'name', message: 'tenant name "acme" is already used by' },
  'username too short': { files: { 'acme.yaml': swap(base(), 'name: acme-ops', 'name: ab') }, at: 'name: ab', field: 'users[0].name', message: '3 to 100 characters' },
  'username too long': { files: { 'acme.yaml': swap(base(), 'name: acme-ops', `name: ${'u'.repeat(101)}`) }, at: 'u'.repeat(101), field: 'users[0].name', message: '3 to 100 characters' },
  'username starting with a hyphen': { files: { 'acme.yaml': swap(base(), 'name: acme-ops', 'name: -acme') }, at: 'name: -acme', field: 'users[0].name', message: 'must not start with "-", "." or "@"' },
  'username starting with @': { files: { 'acme.yaml': swap(base(), 'name: acme-ops', 'name: "@acme"') }, at: '"@acme"', field: 'users[0].name', message: 'must not start with' },
  'username with a slash': { files: { 'acme.yaml': swap(base(), 'name: acme-ops', 'name: acme/ops') }, at: 'name: acme/ops', field: 'users[0].name', message: 'only letters, digits and _ . @ -' },
  'catch-all $default$ user': { files: { 'acme.yaml': swap(base(), 'name: acme-ops', 'name: $default$') }, at: 'name: $default$', field: 'users[0].name', message: '"$default$" is a catch-all user' },
  'usernames colliding case-insensitively across tenants': { files: { 'acme.yaml': base(), 'zeta.yaml': other('zeta', 'ACME-Ops') }, file: 'zeta.yaml', at: 'name: ACME-Ops', field: 'users[0].name', message: 'collides with "acme-ops" (usernames are case-insensitive)' },
  'plaintext password': { files: { 'acme.yaml': swap(base(), BCRYPT_12, 'correct-horse-battery-staple') }, at: 'passwordHash:', field: 'users[0].passwordHash', message: 'not a recognised argon2id or bcrypt hash' },
  'bcrypt cost below 10': { files: { 'acme.yaml': swap(base(), BCRYPT_12, BCRYPT_12.replace('$12$', '$08$')) }, at: 'passwordHash:', field: 'users[0].passwordHash', message: 'bcrypt cost 8 is too weak' },
  'argon2i instead of argon2id': { files: { 'acme.yaml': swap(base(), BCRYPT_12, ARGON2ID.replace('argon2id', 'argon2i')) }, at: 'passwordHash:', field: 'users[0].passwordHash', message: 'argon2i is not accepted' },
  'argon2id memory below 19 MiB': { files: { 'acme.yaml': swap(base(), BCRYPT_12, ARGON2ID.replace('m=19456', 'm=4096')) }, at: 'passwordHash:', field: 'users[0].passwordHash', message: 'memory m=4096 KiB is too weak' },
  'argon2id with one iteration': { files: { 'acme.yaml': swap(base(), BCRYPT_12, ARGON2ID.replace('t=2', 't=1')) }, at: 'passwordHash:', field: 'users[0].passwordHash', message: 'iterations t=1 is too weak' },
  'malformed SSH public key': { files: { 'acme.yaml': swap(base(), KEY_A, 'ssh-ed25519 AAAAnotakey') }, at: 'ssh-ed25519 AAAAnotakey', field: 'users[0].publicKeys[0]', message: 'malformed ssh-ed25519 public key' },
  'not a key line at all': { files: { 'acme.yaml': swap(base(), KEY_A, 'my laptop key') }, at: 'my laptop key', field: 'users[0].publicKeys[0]', message: 'not an OpenSSH public key line' },
  'private key pasted': { files: { 'acme.yaml': swap(base(), KEY_A, '"-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA"') }, at: 'BEGIN OPENSSH', field: 'users[0].publicKeys[0]', message: 'this is a private key' },
  'DSA key': { files: { 'acme.yaml': swap(base(), KEY_A, publicKey('dsa')) }, at: 'ssh-dss', field: 'users[0].publicKeys[0]', message: 'DSA keys are not accepted' },
  'RSA key under 2048 bits': { files: { 'acme.yaml': swap(base(), KEY_A, publicKey('rsa1024')) }, at: 'ssh-rsa', field: 'users[0].publicKeys[0]', message: 'RSA key of 1024 bits is too weak' },
  'key labelled with the wrong type': { files: { 'acme.yaml': swap(base(), KEY_A, KEY_A.replace('ssh-ed25519', 'ssh-rsa')) }, at: 'ssh-rsa', field: 'users[0].publicKeys[0]', message: 'ssh-rsa public key' },
  'same key listed twice (other comment)': { files: { 'acme.yaml': swap(base(), `      - ${KEY_A}\n`, `      - ${KEY_A}\n      - ${KEY_A.replace('a@example', 'laptop')}\n`) }, at: 'laptop', field: 'users[0].publicKeys[1]', message: 'already listed at publicKeys[0]' },
  'same key on users of two tenants': { files: { 'acme.yaml': base(), 'zeta.yaml': other('zeta', 'zeta-ops', KEY_A) }, file: 'zeta.yaml', at: 'ssh-ed25519', field: 'users[0].publicKeys[0]', message: 'also belongs to user "acme-ops" of tenant "acme"' },
  'user with neither password nor key': { files: { 'acme.yaml': swap(swap(base(), `    passwordHash: ${BCRYPT_12}\n`, ''), `    publicKeys:\n      - ${KEY_A}\n`, '') }, at: 'name: acme-ops', field: 'users[0]', message: 'needs a passwordHash' },
  'password hash and generated password together': { files: { 'acme.yaml': swap(base(), `    passwordHash: ${BCRYPT_12}\n`, `    passwordHash: ${BCRYPT_12}\n    generatedPassword: true\n`) }, at: 'generatedPassword', field: 'users[0].generatedPassword', message: 'not both' },
  'invalid CIDR': { files: { 'acme.yaml': swap(base(), '  - 198.51.100.0/24', '  - 300.1.1.0/24') }, at: '300.1.1.0/24', field: 'allowedCidrs[0]', message: 'not a valid IPv4 or IPv6 CIDR block' },
  'bare address without prefix': { files: { 'acme.yaml': swap(base(), '  - 198.51.100.0/24', '  - 198.51.100.7') }, at: '198.51.100.7', field: 'allowedCidrs[0]', message: 'is not a CIDR block' },
  'CIDR with host bits set': { files: { 'acme.yaml': swap(base(), '  - 198.51.100.0/24', '  - 198.51.100.1/24') }, at: '198.51.100.1/24', field: 'allowedCidrs[0]', message: 'did you mean 198.51.100.0/24?' },
  '0.0.0.0/0': { files: { 'acme.yaml': swap(base(), '  - 198.51.100.0/24', '  - 0.0.0.0/0') }, at: '0.0.0.0/0', field: 'allowedCidrs[0]', message: 'allows the whole internet' },
  '::/0': { files: { 'acme.yaml': swap(base(), '  - 198.51.100.0/24', '  - 198.51.100.0/24\n  - ::/0') }, at: '::/0', field: 'allowedCidrs[1]', message: 'allows the whole internet' },
  'empty allowlist': { files: { 'acme.yaml': swap(swap(base(), 'allowedCidrs:\n  - 198.51.100.0/24', 'allowedCidrs: []'), '    allowedCidrs:\n      - 198.51.100.16/28\n', '') }, at: 'allowedCidrs: []', field: 'allowedCidrs', message: 'empty allowlist would admit nobody' },
  'user CIDR outside the tenant allowlist': { files: { 'acme.yaml': swap(base(), '198.51.100.16/28', '203.0.113.0/28') }, at: '203.0.113.0/28', field: 'users[0].allowedCidrs[0]', message: 'is not inside the tenant allowlist' },
  'user CIDR wider than the tenant allowlist': { files: { 'acme.yaml': swap(base(), '198.51.100.16/28', '198.51.0.0/16') }, at: '198.51.0.0/16', field: 'users[0].allowedCidrs[0]', message: 'is not inside the tenant allowlist' },
  'relative folder path': { files: { 'acme.yaml': swap(base(), 'path: /inbound', 'path: inbound') }, at: 'path: inbound', field: 'users[0].folders[0].path', message: 'must be absolute' },
  'folder path with ..': { files: { 'acme.yaml': swap(base(), 'path: /inbound', 'path: /inbound/../../other') }, at: 'path: /inbound/..', field: 'users[0].folders[0].path', message: 'must not contain "." or ".." segments' },
  'folder path with //': { files: { 'acme.yaml': swap(base(), 'path: /inbound', 'path: /in//bound') }, at: 'path: /in//bound', field: 'users[0].folders[0].path', message: 'must not contain "//"' },
  'folder path with trailing /': { files: { 'acme.yaml': swap(base(), 'path: /inbound', 'path: /inbound/') }, at: 'path: /inbound/', field: 'users[0].folders[0].path', message: 'must not end with "/"' },
  'duplicate folders': { files: { 'acme.yaml': swap(base(), 'path: /outbound', 'path: /inbound') }, at: '      - path: /inbound\n        access: read-only', field: 'users[0].folders[1].path', message: 'folder /inbound is already listed at folders[0]' },
  'nested folders': { files: { 'acme.yaml': swap(base(), 'path: /outbound', 'path: /inbound/archive') }, at: 'path: /inbound/archive', field: 'users[0].folders[1].path', message: 'nested inside folder /inbound' },
  '"/" folder beside others': { files: { 'acme.yaml': swap(base(), 'path: /outbound', 'path: /') }, at: 'path: /\n', field: 'users[0].folders[1].path', message: 'must be the only folder' },
  'unknown folder access': { files: { 'acme.yaml': swap(base(), 'access: write-only', 'access: write') }, at: 'access: write', field: 'users[0].folders[0].access', message: 'access must be read-only, write-only or read-write' },
  'malformed expiry date': { files: { 'acme.yaml': swap(base(), '"2027-06-30"', '"2027-02-30"') }, at: 'expires:', field: 'users[0].expires', message: 'not a valid date' },
  'expiry in the past': { files: { 'acme.yaml': swap(base(), '"2027-06-30"', '"2026-11-30"') }, at: 'expires:', field: 'users[0].expires', message: 'expiry 2026-11-30 is in the past' },
  'session policy over 2048 characters': { files: { 'acme.yaml': swap(base(), '      - path: /inbound\n', `${longFolders}      - path: /inbound\n`) }, at: '    folders:', field: 'users[0].folders', message: 'Transfer Family accepts at most 2048' },
  'empty file': { files: { 'acme.yaml': '# nothing here\n' }, at: '# nothing here', field: '(document)', message: 'expected object' },
  'platform: unquoted account id': { files: { 'acme.yaml': base() }, platform: EXAMPLE_PLATFORM.replace('accountId: "123456789012"', 'accountId: 123456789012'), file: '../platform.yaml', at: 'accountId:', field: 'accountId', message: 'quote it in YAML' },
  'platform: admin role in another account': { files: { 'acme.yaml': base() }, platform: EXAMPLE_PLATFORM.replace('arn:aws:iam::123456789012:role/sftp-platform-admin', 'arn:aws:iam::999999999999:role/sftp-platform-admin'), file: '../platform.yaml', at: '999999999999', field: 'adminRoleArns[0]', message: 'is in account 999999999999, not the platform account' },
};

describe('validate rejects bad input', () => {
  it('has at least 30 named cases', () => {
    expect(Object.keys(cases).length).toBeGreaterThanOrEqual(30);
  });

  it.each(Object.entries(cases))('%s', async (_name, c) => {
    const dir = makeConfigDir(c.files, c.platform);
    try {
      const result = await runCli(['validate'], { cwd: dir.root });
      expect(result.code).toBe(1);
      const checked = c.file ?? Object.keys(c.files)[0]!;
      const displayFile = checked.startsWith('../') ? checked.slice(3) : `tenants/${checked}`;
      const text = checked.startsWith('../') ? c.platform! : c.files[checked]!;
      const offset = text.indexOf(c.at);
      if (offset < 0) throw new Error(`test bug: ${JSON.stringify(c.at)} not in ${checked}`);
      const line = text.slice(0, offset).split('\n').length;
      const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const expected = new RegExp(`^${esc(displayFile)}:${line}:\\d+: ${esc(c.field)}: .*${esc(c.message)}`);
      expect(result.stderr.split('\n')).toContainEqual(expect.stringMatching(expected));
      // Nothing secret is repeated back: the would-be hash must not appear in the output.
      expect(result.stderr).not.toContain('correct-horse-battery-staple');
    } finally {
      dir.cleanup();
    }
  });
});
