import { readFileSync } from "node:fs";
import { COMMAND_TYPES, COMMANDS, type CommandType } from "@neopro/protocol";
import { describe, expect, it } from "vitest";
import { z } from "zod";

/**
 * The README's table of commands is derived from the catalogue: this test
 * fails when they differ, and prints the table to paste between the markers.
 */
function paramsSummary(type: CommandType): string {
  const schema = z.toJSONSchema(COMMANDS[type].params, { io: "input", unrepresentable: "any" }) as {
    properties?: object;
    required?: string[];
  };
  const keys = Object.keys(schema.properties ?? {});
  if (keys.length === 0) return "none";
  const required = new Set(schema.required ?? []);
  return keys.map((key) => `\`${key}${required.has(key) ? "" : "?"}\``).join(", ");
}

export function renderCommandTable(): string {
  const rows = COMMAND_TYPES.map((type) => {
    const command = COMMANDS[type];
    return `| \`${type}\` | ${command.queueable ? "yes" : "no (refused offline)"} | ${command.defaultPriority} | ${paramsSummary(type)} | ${command.description} | ${command.restartRule === "rerun" ? "re-run" : "reported `interrupted`"} |`;
  });
  return [
    "| command | queueable | default priority | params | description | if the agent stopped while running it |",
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

function cells(table: string): string[][] {
  return table
    .trim()
    .split("\n")
    .filter((line) => !/^\|[\s|:-]+\|$/.test(line))
    .map((line) => line.split("|").map((cell) => cell.trim()));
}

describe("README command table", () => {
  it("matches the protocol catalogue", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const table = /<!-- commands:start -->\n([\s\S]*?)\n<!-- commands:end -->/.exec(readme)?.[1];
    // Compared cell by cell, so that a Markdown formatter's column padding does not matter.
    expect(
      cells(table ?? ""),
      `README.md needs this table between the commands markers:\n${renderCommandTable()}`,
    ).toEqual(cells(renderCommandTable()));
  });
});
