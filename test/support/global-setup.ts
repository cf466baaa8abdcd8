import { startEmulator, type Emulator } from '../../local/emulator';

/** One emulator for the whole run; its endpoint reaches the test workers through the environment. */
export default async function globalSetup(): Promise<void> {
  const emulator = await startEmulator();
  Object.assign(process.env, emulator.env);
  (globalThis as { __emulator?: Emulator }).__emulator = emulator;
}
