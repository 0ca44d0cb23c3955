import {
  COMMAND_TYPES,
  COMMANDS,
  checkCommand,
  priorityLabel,
  QUEUEABLE_COMMAND_TYPES,
  sendCommandBody,
} from "@neopro/protocol";
import { describe, expect, it } from "vitest";

describe("command catalogue", () => {
  it("splits the nine commands of the reference into queueable and real-time", () => {
    expect([...QUEUEABLE_COMMAND_TYPES].sort()).toEqual(
      ["delete_video", "deploy_video", "update_config", "update_software"].sort(),
    );
    expect(COMMAND_TYPES.filter((type) => !COMMANDS[type].queueable).sort()).toEqual(
      ["get_config", "get_hotspot_config", "get_logs", "get_system_info", "network_diagnostics"].sort(),
    );
  });

  it("gives every command a default priority in 1..10 and a French description", () => {
    for (const type of COMMAND_TYPES) {
      const definition = COMMANDS[type];
      expect(definition.defaultPriority).toBeGreaterThanOrEqual(1);
      expect(definition.defaultPriority).toBeLessThanOrEqual(10);
      expect(definition.description.length).toBeGreaterThan(3);
    }
  });

  it("only update_software is reported as interrupted after a restart; the rest are safe to re-run", () => {
    expect(COMMAND_TYPES.filter((type) => COMMANDS[type].restartRule === "report_interrupted")).toEqual([
      "update_software",
    ]);
  });
});

describe("checkCommand", () => {
  it("accepts the reference's update_config body", () => {
    const check = checkCommand("update_config", { configuration: { volume: 80 } });
    expect(check).toEqual({ ok: true, type: "update_config", params: { configuration: { volume: 80 } } });
  });

  it("refuses an unknown command type and names the known ones", () => {
    const check = checkCommand("reboot_now", {});
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.error).toBe("UNKNOWN_COMMAND");
      expect(check.message).toContain("deploy_video");
    }
  });

  it("refuses unknown keys in params", () => {
    const check = checkCommand("get_logs", { lines: 10, rm: "-rf" });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error).toBe("INVALID_PARAMS");
  });

  it("treats missing params as empty params", () => {
    expect(checkCommand("get_system_info", undefined).ok).toBe(true);
    expect(checkCommand("deploy_video", undefined).ok).toBe(false);
  });

  const video = { videoId: "v1", url: "https://cdn.example.org/a.mp4", filename: "sponsor.mp4" };

  it.each([
    ["../etc/passwd"],
    ["a/b.mp4"],
    ["..\\x.mp4"],
    [".."],
    [".hidden.mp4"],
    ["-rf.mp4"],
    ["nul\0.mp4"],
    ["x".repeat(256)],
  ])("refuses the video file name %j, which could leave the videos folder", (filename) => {
    expect(checkCommand("deploy_video", { ...video, filename }).ok).toBe(false);
    expect(checkCommand("delete_video", { filename }).ok).toBe(false);
  });

  it("accepts an ordinary video file name with spaces and accents", () => {
    expect(checkCommand("deploy_video", { ...video, filename: "Spot été 2026.mp4" }).ok).toBe(true);
  });

  it.each([["file:///etc/passwd"], ["ftp://x/y"], ["javascript:alert(1)"], ["not a url"]])(
    "refuses the download url %j",
    (url) => {
      expect(checkCommand("deploy_video", { ...video, url }).ok).toBe(false);
    },
  );

  it("normalises a sha256 to lower case and refuses a short one", () => {
    const check = checkCommand("deploy_video", { ...video, sha256: "AB".repeat(32) });
    expect(check.ok && (check.params as { sha256: string }).sha256).toBe("ab".repeat(32));
    expect(checkCommand("deploy_video", { ...video, sha256: "abc" }).ok).toBe(false);
  });

  it("refuses a software version that could be read as an option or hold shell syntax", () => {
    expect(checkCommand("update_software", { version: "2.4.1" }).ok).toBe(true);
    expect(checkCommand("update_software", { version: "--help" }).ok).toBe(false);
    expect(checkCommand("update_software", { version: "1.0; rm -rf /" }).ok).toBe(false);
    expect(checkCommand("update_software", { version: "$(reboot)" }).ok).toBe(false);
  });

  it("bounds get_logs lines and checks since is an ISO time", () => {
    expect(checkCommand("get_logs", { lines: 0 }).ok).toBe(false);
    expect(checkCommand("get_logs", { lines: 100_000 }).ok).toBe(false);
    expect(checkCommand("get_logs", { since: "yesterday" }).ok).toBe(false);
    expect(checkCommand("get_logs", { lines: 50, since: "2026-12-01T10:00:00Z" }).ok).toBe(true);
  });
});

describe("send command body", () => {
  it("defaults queueIfOffline to true as in §4", () => {
    expect(sendCommandBody.parse({ command: "update_config", params: {} }).queueIfOffline).toBe(true);
  });

  it("refuses a priority outside 1..10 and unknown fields", () => {
    expect(sendCommandBody.safeParse({ command: "x", priority: 0 }).success).toBe(false);
    expect(sendCommandBody.safeParse({ command: "x", priority: 11 }).success).toBe(false);
    expect(sendCommandBody.safeParse({ command: "x", prio: 1 }).success).toBe(false);
  });
});

describe("priority labels (§6)", () => {
  it.each([
    [1, "Urgent"],
    [3, "Haute"],
    [5, "Normal"],
    [7, "Basse"],
    [10, "Très basse"],
  ] as const)("labels %i as %s", (value, label) => {
    expect(priorityLabel(value)).toBe(label);
  });
});
