/**
 * The one error catalogue. Services throw MatrixError; the HTTP layers turn it into the spec's
 * `{errcode, error, ...extra}` body with its status. Anything else that escapes is a bug and answers 500.
 */
export class MatrixError extends Error {
  constructor(
    readonly errcode: string,
    message: string,
    readonly status: number,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "MatrixError";
  }

  toJSON(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export const errors = {
  forbidden: (message = "Forbidden") => new MatrixError("M_FORBIDDEN", message, 403),
  unknownToken: (message = "Unrecognised access token", softLogout = false) =>
    new MatrixError("M_UNKNOWN_TOKEN", message, 401, softLogout ? { soft_logout: true } : {}),
  missingToken: () => new MatrixError("M_MISSING_TOKEN", "Missing access token", 401),
  badJson: (message: string) => new MatrixError("M_BAD_JSON", message, 400),
  notJson: (message = "Content not JSON") => new MatrixError("M_NOT_JSON", message, 400),
  notFound: (message = "Not found") => new MatrixError("M_NOT_FOUND", message, 404),
  duplicateAnnotation: () => new MatrixError("M_DUPLICATE_ANNOTATION", "Can't send same reaction twice", 400),
  limitExceeded: (retryAfterMs: number) =>
    new MatrixError("M_LIMIT_EXCEEDED", "Too many requests", 429, { retry_after_ms: retryAfterMs }),
  unrecognized: (message = "Unrecognized request", status = 404) => new MatrixError("M_UNRECOGNIZED", message, status),
  unknown: (message: string, status = 400) => new MatrixError("M_UNKNOWN", message, status),
  missingParam: (message: string) => new MatrixError("M_MISSING_PARAM", message, 400),
  invalidParam: (message: string) => new MatrixError("M_INVALID_PARAM", message, 400),
  tooLarge: (message = "Request too large") => new MatrixError("M_TOO_LARGE", message, 413),
  userInUse: () => new MatrixError("M_USER_IN_USE", "User ID already taken", 400),
  invalidUsername: (message: string) => new MatrixError("M_INVALID_USERNAME", message, 400),
  exclusive: (message: string) => new MatrixError("M_EXCLUSIVE", message, 400),
  roomInUse: () => new MatrixError("M_ROOM_IN_USE", "Room alias already taken", 400),
  invalidRoomState: (message: string) => new MatrixError("M_INVALID_ROOM_STATE", message, 400),
  unsupportedRoomVersion: (version: string) =>
    new MatrixError("M_UNSUPPORTED_ROOM_VERSION", `Unsupported room version ${version}`, 400),
  guestAccessForbidden: () => new MatrixError("M_GUEST_ACCESS_FORBIDDEN", "Guest access forbidden", 403),
  userDeactivated: () => new MatrixError("M_USER_DEACTIVATED", "This account has been deactivated", 403),
  forbiddenRegistration: () => new MatrixError("M_FORBIDDEN", "Registration is disabled", 403),
  serverNotTrusted: () => new MatrixError("M_SERVER_NOT_TRUSTED", "Server not trusted", 403),
  unauthorized: (message = "Unauthorized") => new MatrixError("M_UNAUTHORIZED", message, 401),
  weakPassword: (message = "Password too weak") => new MatrixError("M_WEAK_PASSWORD", message, 400),
  badState: (message: string) => new MatrixError("M_BAD_STATE", message, 400),
  badAlias: (message: string) => new MatrixError("M_BAD_ALIAS", message, 400),
} as const;

export const isMatrixError = (value: unknown): value is MatrixError => value instanceof MatrixError;
