import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";

/**
 * Replays a Dockerfile's COPY and RUN steps outside Docker (no engine runs on
 * this machine): each stage gets a folder standing for its filesystem root,
 * WORKDIR and absolute paths are mapped into it, COPY honours the
 * <Dockerfile>.dockerignore, RUN runs with `sh -c` and the stage's ENV. The
 * base image's own content (Node, npm) is this machine's. Small on purpose:
 * it understands the instructions deploy/docker/Dockerfile uses and refuses
 * anything else, so the replay can never silently differ from the file.
 */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

export interface ReplayedStage {
  name: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
  command: string[] | undefined;
  healthcheck: string[] | undefined;
}

const RECORDED_ONLY = new Set(["EXPOSE", "STOPSIGNAL", "LABEL"]);

/** Instructions with their continuation lines joined; comments and blank lines dropped. */
export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || (line === "" && pending === "")) continue;
    pending += `${line.replace(/\\$/, "").trim()} `;
    if (!line.endsWith("\\")) {
      logical.push(pending.trim());
      pending = "";
    }
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const entry of logical) {
    const [keyword = "", ...rest] = entry.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    if (instruction.keyword === "FROM") {
      const [base = "", as, name] = instruction.args.split(/\s+/);
      stages.push({
        name: as?.toUpperCase() === "AS" && name ? name : String(stages.length),
        base,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword !== "ARG") throw new Error(`only ARG may come before FROM, found ${entry}`);
      const [key = "", value = ""] = instruction.args.split("=", 2);
      args[key] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/**
 * A .dockerignore as a predicate on context-relative paths: `**` spans folders,
 * `*` stays within one; a matched folder hides everything below it.
 */
export function dockerignoreMatcher(ignoreFile: string): (path: string) => boolean {
  if (!existsSync(ignoreFile)) return () => false;
  const patterns = readFileSync(ignoreFile, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((glob) => {
      const body = glob
        .split(/(\*\*\/|\*)/)
        .map((part) => {
          if (part === "**/") return "(?:.*/)?";
          if (part === "*") return "[^/]*";
          return part.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
        })
        .join("");
      return new RegExp(`^${body}(?:/.*)?$`);
    });
  return (path) => path !== "" && patterns.some((pattern) => pattern.test(path));
}

/** `K=V K2=V2` (or the legacy `K V`) of ENV. */
function parseEnv(args: string): Record<string, string> {
  const pairs = args.match(/[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|\S*)/g);
  if (!pairs) {
    const [key = "", ...value] = args.split(/\s+/);
    return { [key]: value.join(" ") };
  }
  return Object.fromEntries(
    pairs.map((pair) => {
      const [key = "", value = ""] = pair.split(/=(.*)/s);
      return [key, value.replace(/^"(.*)"$/, "$1")];
    }),
  );
}

export interface ReplayOptions {
  dockerfile: string;
  context: string;
  /** Folder receiving one sub-folder per stage. */
  into: string;
  /** Environment for RUN on top of the stage's ENV (e.g. PATH, HOME, npm cache). */
  baseEnv: Record<string, string | undefined>;
  log?: (message: string) => void;
}

export function replayDockerfile(options: ReplayOptions): ReplayedStage[] {
  const { stages } = parseDockerfile(readFileSync(options.dockerfile, "utf8"));
  const matchesIgnore = dockerignoreMatcher(`${options.dockerfile}.dockerignore`);
  const ignored = (path: string) => matchesIgnore(relative(options.context, path));
  const replayed: ReplayedStage[] = [];
  for (const stage of stages) {
    const state: ReplayedStage = {
      name: stage.name,
      root: join(options.into, stage.name),
      workdir: "/",
      env: {},
      user: undefined,
      command: undefined,
      healthcheck: undefined,
    };
    mkdirSync(state.root, { recursive: true });
    const inStage = (path: string) =>
      join(state.root, path.startsWith("/") ? path : join(state.workdir, path));
    for (const { keyword, args } of stage.instructions) {
      options.log?.(`[${stage.name}] ${keyword} ${args}`);
      if (keyword === "WORKDIR") {
        state.workdir = args.startsWith("/") ? args : join(state.workdir, args);
        mkdirSync(inStage("."), { recursive: true });
      } else if (keyword === "ENV") {
        Object.assign(state.env, parseEnv(args));
      } else if (keyword === "USER") {
        state.user = args;
      } else if (keyword === "CMD") {
        state.command = JSON.parse(args) as string[];
      } else if (keyword === "HEALTHCHECK") {
        state.healthcheck = JSON.parse(args.replace(/^.*?\bCMD\s+/, "")) as string[];
      } else if (keyword === "COPY") {
        copyStep(args, { state, replayed, context: options.context, ignored, inStage });
      } else if (keyword === "RUN") {
        runStep(args, state, inStage("."), options.baseEnv);
      } else if (!RECORDED_ONLY.has(keyword)) {
        throw new Error(`the replay does not know ${keyword}; teach test/deploy/support/dockerfile.ts`);
      }
    }
    replayed.push(state);
  }
  return replayed;
}

interface CopyContext {
  state: ReplayedStage;
  replayed: ReplayedStage[];
  context: string;
  ignored: (path: string) => boolean;
  inStage: (path: string) => string;
}

function copyStep(args: string, { state, replayed, context, ignored, inStage }: CopyContext): void {
  const words = args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith("--"));
  const paths = words.filter((word) => !word.startsWith("--"));
  const destination = paths.pop() ?? "";
  const fromStage = flags.find((flag) => flag.startsWith("--from="))?.slice("--from=".length);
  const sourceRoot = fromStage ? replayed.find((stage) => stage.name === fromStage)?.root : context;
  if (!sourceRoot) throw new Error(`COPY --from=${fromStage}: no earlier stage of that name`);
  const target = inStage(destination);
  const intoFolder = destination.endsWith("/") || paths.length > 1;
  for (const source of paths) {
    const from = join(sourceRoot, source);
    if (!existsSync(from)) throw new Error(`[${state.name}] COPY ${source}: ${from} does not exist`);
    const to = intoFolder && !statSync(from).isDirectory() ? join(target, basename(from)) : target;
    // --chown names a user of the image; the replay runs as this machine's user and only records it.
    cpSync(from, to, { recursive: true, filter: (path) => fromStage !== undefined || !ignored(path) });
  }
}

function runStep(
  command: string,
  state: ReplayedStage,
  cwd: string,
  baseEnv: Record<string, string | undefined>,
) {
  // An absolute path would reach outside the stage's folder, onto this machine.
  if (/(^|[\s=])\/[A-Za-z]/.test(command)) {
    throw new Error(`[${state.name}] RUN uses an absolute path, which the replay cannot map: ${command}`);
  }
  const result = spawnSync("sh", ["-c", command], {
    cwd,
    env: { ...baseEnv, ...state.env },
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  if (result.status !== 0) {
    throw new Error(
      `[${state.name}] RUN ${command} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}
