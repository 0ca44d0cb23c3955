import type { Logger } from "pino";
import unixDgram from "unix-dgram";

/**
 * The sd_notify protocol (man sd_notify): one datagram of `KEY=value` lines
 * sent to the unix socket systemd names in NOTIFY_SOCKET. Node's dgram module
 * cannot open unix datagram sockets, hence unix-dgram; `systemd-notify` is not
 * used because systemd may not attribute its messages to this process (racy).
 */
export interface Notifier {
  /** False when NOTIFY_SOCKET is unset (not under systemd, or Type=simple): every call is a no-op. */
  readonly enabled: boolean;
  ready(status: string): void;
  status(text: string): void;
  watchdog(): void;
  stopping(status: string): void;
}

export interface NotifierOptions {
  /** The value of NOTIFY_SOCKET. */
  socketPath: string | undefined;
  logger: Logger;
}

/** STATUS= is one line of free text; systemctl shows it after "Status:". */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ").slice(0, 500);
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { socketPath, logger } = options;
  if (socketPath === undefined || socketPath === "") return disabledNotifier();
  if (socketPath.startsWith("@")) {
    // unix-dgram copies the path with strncpy, so an abstract address (leading NUL) cannot be expressed.
    logger.warn(
      { notifySocket: socketPath },
      "NOTIFY_SOCKET is an abstract socket, which this agent cannot reach: use Type=simple or a path socket",
    );
    return disabledNotifier();
  }
  let lastFailure: string | null = null;

  function send(message: string) {
    const datagram = Buffer.from(message);
    // A socket per message, as libsystemd's sd_notify does: nothing stays open to keep the process alive.
    let socket: ReturnType<typeof unixDgram.createSocket> | null = null;
    try {
      socket = unixDgram.createSocket("unix_dgram");
      socket.on("error", () => {});
      socket.send(datagram, 0, datagram.length, socketPath as string, (error) => {
        if (error === undefined) lastFailure = null;
        else reportFailure(error);
      });
    } catch (error) {
      reportFailure(error);
    } finally {
      socket?.close();
    }
  }

  /** Logged once per distinct failure: a watchdog ping every few seconds must not flood the journal. */
  function reportFailure(error: unknown) {
    const text = error instanceof Error ? error.message : String(error);
    if (text === lastFailure) return;
    lastFailure = text;
    logger.warn({ notifySocket: socketPath, error: text }, "cannot notify systemd through NOTIFY_SOCKET");
  }

  return {
    enabled: true,
    ready: (status) => send(`READY=1\nSTATUS=${oneLine(status)}`),
    status: (text) => send(`STATUS=${oneLine(text)}`),
    watchdog: () => send("WATCHDOG=1"),
    stopping: (status) => send(`STOPPING=1\nSTATUS=${oneLine(status)}`),
  };
}

function disabledNotifier(): Notifier {
  return { enabled: false, ready() {}, status() {}, watchdog() {}, stopping() {} };
}
