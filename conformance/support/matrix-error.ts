import { MatrixError } from "matrix-js-sdk";

/** Runs an SDK call that must fail and returns the status and errcode the server answered with. */
export async function expectMatrixError(call: () => Promise<unknown>): Promise<{ status: number | undefined; errcode: string }> {
  try {
    await call();
  } catch (error) {
    if (error instanceof MatrixError) return { status: error.httpStatus, errcode: error.errcode ?? "(none)" };
    throw error;
  }
  throw new Error("the request succeeded, but the spec requires it to be refused");
}
