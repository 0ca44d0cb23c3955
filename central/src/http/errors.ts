import type { ApiError, ApiErrorCode } from "@neopro/protocol";
import type { FastifyError, FastifyInstance } from "fastify";

/** A request that cannot be served; answered as `{ success: false, error, message, details? }`. */
export class ApiFailure extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiFailure";
  }

  toJSON(): ApiError {
    return {
      success: false,
      error: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** Fastify's own request errors (body parsing, limits), in the API's terms. */
function fromFastifyError(error: FastifyError): ApiFailure | undefined {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiFailure(400, "INVALID_JSON", "The request body is not valid JSON");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiFailure(413, "PAYLOAD_TOO_LARGE", "The request body is too large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiFailure(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "Send the body as JSON (Content-Type: application/json)",
      );
  }
  // secure-json-parse throws a SyntaxError, which fastify marks 400.
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return new ApiFailure(400, "INVALID_JSON", `The request body is not valid JSON: ${error.message}`);
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiFailure(error.statusCode, "INVALID_BODY", error.message);
  }
  return undefined;
}

/** Every failure becomes the API's JSON error; unexpected ones are logged with their stack, never sent. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const failure = error instanceof ApiFailure ? error : fromFastifyError(error);
    if (failure) {
      if (failure.statusCode === 401) reply.header("www-authenticate", "Bearer");
      return reply.code(failure.statusCode).send(failure.toJSON());
    }
    request.log.error(
      { err: error, method: request.method, url: request.url },
      "Request failed unexpectedly",
    );
    return reply
      .code(500)
      .send(new ApiFailure(500, "INTERNAL_ERROR", "Internal error; the server log has the details").toJSON());
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        new ApiFailure(404, "NOT_FOUND", `No route ${request.method} ${request.url.split("?")[0]}`).toJSON(),
      ),
  );
}
