import type { FastifyRequest } from "fastify";
import type { Database } from "../db/database.js";
import { findOperatorByTokenHash } from "../store/users.js";
import { hashToken } from "../tokens.js";
import { ApiFailure } from "./errors.js";

export interface Operator {
  id: string;
  name: string;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Finds the operator a request's bearer token belongs to. The lookup is by
 * SHA-256 of the token, so comparing hashes in SQL leaks nothing usable
 * about the token itself.
 */
export async function authenticateOperator(db: Database, request: FastifyRequest): Promise<Operator> {
  const match = BEARER.exec(request.headers.authorization ?? "");
  if (!match?.[1]) {
    throw new ApiFailure(401, "UNAUTHORIZED", "Send an operator token as 'Authorization: Bearer <token>'");
  }
  const operator = await findOperatorByTokenHash(db, hashToken(match[1]));
  if (!operator)
    throw new ApiFailure(401, "UNAUTHORIZED", "The bearer token does not belong to any operator");
  return operator;
}
