/** The part of unix-dgram 2 (CommonJS, no types of its own) that the notifier and its tests use. */
declare module "unix-dgram" {
  import type { EventEmitter } from "node:events";

  export interface UnixDgramSocket extends EventEmitter {
    send(
      buffer: Buffer,
      offset: number,
      length: number,
      path: string,
      callback: (error?: Error & { code?: number }) => void,
    ): void;
    /** Receiving side (tests stand in for systemd): emits `message` (Buffer) for each datagram. */
    bind(path: string): void;
    close(): void;
  }

  export function createSocket(type: "unix_dgram"): UnixDgramSocket;

  const unixDgram: { createSocket: typeof createSocket };
  export default unixDgram;
}
