import { MatrixError } from "../../errors.js";
import { BlockedDestinationError, OutgoingTimeoutError, ResponseTooLargeError, UnresolvableHostError } from "../../core/outgoing-http.js";

/**
 * What a client is told when the page could not be fetched, after Synapse's answers: a destination in a blocked
 * range is 403 ("IP address blocked"), a host that does not resolve 502, a page over the size limit 502
 * M_TOO_LARGE, a fetch that ran out of time 504; any other failure of the remote side (refused connection,
 * TLS, too many redirects) 502 M_UNKNOWN. Synapse answers that last case 500, which here would read as our
 * own fault.
 */
export function fetchFailure(error: unknown, maxBytes: number): MatrixError {
  if (error instanceof MatrixError) return error;
  if (error instanceof UnresolvableHostError) return new MatrixError("M_UNKNOWN", "DNS resolution failure during URL preview generation", 502);
  if (error instanceof BlockedDestinationError) return new MatrixError("M_FORBIDDEN", "IP address blocked", 403);
  if (error instanceof ResponseTooLargeError) return new MatrixError("M_TOO_LARGE", `Requested file is too large > ${maxBytes} bytes`, 502);
  if (error instanceof OutgoingTimeoutError) return new MatrixError("M_UNKNOWN", "Timed out fetching the URL", 504);
  return new MatrixError("M_UNKNOWN", "Failed to download content", 502);
}
