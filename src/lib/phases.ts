/**
 * The one home of two rules about build phases, shared by the server (which
 * turns the toolchain's trace into phase events, server/phases/trace.ts) and
 * the browser (which plans and draws the steps, src/client/phase-model.ts and
 * phase-view.ts): the order the phases of a go command are shown in, and
 * which of the toolchain's action modes is shown as which phase.
 */
import { PhaseSchema, type Phase } from './protocol.ts';

/** Every phase, in the order a go command goes through them (the steps list shows them so). */
export const PHASE_ORDER: readonly Phase[] = PhaseSchema.options;

/** `cgo compile <file>` carries a file name in its mode. */
export const CGO_COMPILE = 'cgo compile ';

/** Which phase an action mode is shown as; modes not listed are known but not shown. */
export const PHASE_OF_MODE: Readonly<Record<string, Phase>> = {
  build: 'compile',
  'cgo run': 'cgo',
  [CGO_COMPILE.trim()]: 'cgo',
  link: 'link',
  'go run': 'run',
  'test run': 'test',
  vet: 'vet',
};
