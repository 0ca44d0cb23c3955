import { join } from "node:path";
import unixDgram from "unix-dgram";

export interface NotifyMessage {
  at: number;
  fields: Record<string, string>;
}

/**
 * What systemd does for Type=notify: a unix datagram socket bound at a path,
 * given to the service as NOTIFY_SOCKET. Collects every datagram, parsed.
 */
export function bindNotifySocket(dir: string) {
  const path = join(dir, "notify.sock");
  const messages: NotifyMessage[] = [];
  const socket = unixDgram.createSocket("unix_dgram");
  socket.on("message", (buffer: Buffer) => {
    const fields: Record<string, string> = {};
    for (const line of buffer.toString("utf8").split("\n")) {
      const equals = line.indexOf("=");
      if (equals > 0) fields[line.slice(0, equals)] = line.slice(equals + 1);
    }
    messages.push({ at: Date.now(), fields });
  });
  socket.bind(path);
  return {
    path,
    messages,
    withField: (key: string) => messages.filter((message) => key in message.fields),
    close: () => socket.close(),
  };
}
