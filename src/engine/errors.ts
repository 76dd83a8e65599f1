// Errors as people see them: one line, never a stack trace; the engine's failures carry a code (workers/errors.ts).
export { oneLine, asEngineError } from '../../workers/shared.ts';
