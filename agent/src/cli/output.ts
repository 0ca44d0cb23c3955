/** Where a tool prints (stdout in production, a buffer in tests); one call per block of lines. */
export interface ToolOutput {
  write(text: string): void;
}

export const stdoutOutput: ToolOutput = { write: (text) => process.stdout.write(`${text}\n`) };
