import { z } from "zod";

/**
 * A file name that stays inside its folder: no separator, no NUL, not "." or
 * "..", no leading dot (hidden files) and no leading dash (could read as an
 * option). 255 bytes is the usual file-system limit.
 */
export const safeFileName = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => !/[/\\\0]/.test(name), "must not contain '/', '\\' or NUL")
  .refine((name) => !name.startsWith(".") && !name.startsWith("-"), "must not start with '.' or '-'")
  .refine((name) => new TextEncoder().encode(name).length <= 255, "must be at most 255 bytes");

export const httpUrl = z.url({ protocol: /^https?$/ });

export const sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hexadecimal characters")
  .transform((hex) => hex.toLowerCase());

/** A version label passed as an argument to the update program (never through a shell). */
export const softwareVersion = z
  .string()
  .regex(
    /^[0-9A-Za-z][0-9A-Za-z.+_~-]{0,63}$/,
    "must be letters, digits and . + _ ~ - (not starting with '-')",
  );

export const isoDateTime = z.iso.datetime({ offset: true });

export const uuid = z.uuid();
