// Every SQL operation of central, one small function each, taking a Queryable first.
export * from "./commands.js";
export * from "./sites.js";
export * from "./users.js";
