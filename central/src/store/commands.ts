// The command functions of the contract, split by concern.
export * from "./history.js";
export * from "./queue.js";
export * from "./results.js";
