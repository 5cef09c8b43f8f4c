/**
 * The verb-named API every front end sees, whatever the transport (Electron
 * preload, WebSocket, CLI): one method per command, taking that command's
 * fields as one object, derived from COMMAND_SCHEMAS so that adding a command
 * to the schemas adds its verb everywhere.
 */
import { type Command, COMMAND_TYPES, type CommandArgs, type CommandType } from './commands.js';
import type { EngineEvent } from './events.js';

/** A verb: commands without required fields may be called with no argument. */
type Verb<K extends CommandType> =
  object extends CommandArgs<K> ? (args?: CommandArgs<K>) => void : (args: CommandArgs<K>) => void;

export type EngineApi = { [K in CommandType]: Verb<K> } & {
  /** Subscribes to every engine event; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
};

/** Builds the command a verb call stands for: its fields plus its type. */
export function commandOf<K extends CommandType>(type: K, args?: CommandArgs<K>): Command {
  return { ...(args ?? {}), type } as Command;
}

/** Wraps a raw `send(command)` into the verb-named EngineApi. */
export function engineApiFrom(
  send: (command: Command) => void,
  onEvent: (listener: (event: EngineEvent) => void) => () => void,
): EngineApi {
  const api: Record<string, unknown> = { onEvent };
  for (const type of COMMAND_TYPES) api[type] = (args?: object) => send(commandOf(type, args as never));
  return api as EngineApi;
}
