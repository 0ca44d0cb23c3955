/** Keeps only the last `limitBytes` of a stream of chunks, so a chatty program cannot fill the memory. */
export class OutputTail {
  #chunks: Buffer[] = [];
  #kept = 0;

  constructor(private readonly limitBytes: number) {}

  append(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#kept += chunk.length;
    while (this.#chunks.length > 1 && this.#kept - (this.#chunks[0]?.length ?? 0) >= this.limitBytes) {
      const first = this.#chunks.shift() as Buffer;
      this.#kept -= first.length;
    }
  }

  toString(): string {
    const all = Buffer.concat(this.#chunks);
    return all.subarray(Math.max(0, all.length - this.limitBytes)).toString("utf8");
  }
}
