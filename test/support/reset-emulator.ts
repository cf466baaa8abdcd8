import { resetEmulator } from '../../local/emulator';

// Every test file starts from an empty emulator, whatever the files before it created.
beforeAll(async () => {
  await resetEmulator(process.env.AWS_ENDPOINT_URL!);
});
