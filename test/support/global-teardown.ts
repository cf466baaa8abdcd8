import type { Emulator } from '../../local/emulator';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __emulator?: Emulator }).__emulator?.stop();
}
