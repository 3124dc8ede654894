/**
 * A reason the server or a command cannot run that the operator fixes outside Myelin (a busy port, an
 * unreachable database, a database another process holds). The CLI prints its message alone, no stack.
 */
export class StartupError extends Error {
  override name = "StartupError";
}
