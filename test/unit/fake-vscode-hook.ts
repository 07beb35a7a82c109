// Serves the fake editor (extension-fake-vscode.ts) as the `vscode` module, for tests that load the
// extension's code: call serveFakeVscode() before the first require() of a src/extension/ file.
import Module from 'node:module';
import * as fake from './extension-fake-vscode.js';

let served = false;

export function serveFakeVscode(): void {
  if (served) return;
  served = true;
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fake : originalLoad.call(this, request, ...rest);
  };
}
