export * from "./answers.js";
export * from "./api.js";
export * from "./catalogue.js";
export * from "./fields.js";
export * from "./operators.js";
export * from "./socket.js";
export * from "./statuses.js";
