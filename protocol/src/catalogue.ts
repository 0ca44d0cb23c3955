import { z } from "zod";
import { httpUrl, isoDateTime, safeFileName, sha256Hex, softwareVersion } from "./fields.js";

/**
 * What the agent does with a command it had started when it stopped
 * (crash, power cut, SIGKILL) and finds unfinished on restart:
 * - "rerun": running it again gives the same end state (atomic writes,
 *   idempotent deletes, verified downloads, read-only queries), so it runs again.
 * - "report_interrupted": running it twice could do harm (a software update),
 *   so the agent reports it as `interrupted` and an operator decides.
 */
export type RestartRule = "rerun" | "report_interrupted";

export interface CommandDefinition<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  /** Schema of `params`. Unknown keys are refused. Each field's `title` (French) labels it in forms. */
  readonly params: P;
  /** Schema of the agent's `result` when the command succeeds. */
  readonly result: R;
  /** May wait in the queue for an offline site (true) or needs a live site (false). */
  readonly queueable: boolean;
  /** 1 (urgent) … 10 (very low); used when the request gives none. */
  readonly defaultPriority: number;
  /** French label, stored as `pending_commands.description` when none is given. */
  readonly description: string;
  readonly restartRule: RestartRule;
}

function define<P extends z.ZodType, R extends z.ZodType>(definition: CommandDefinition<P, R>) {
  return Object.freeze(definition);
}

const noParams = z.strictObject({});

const logLine = z.string();

export const COMMANDS = Object.freeze({
  update_config: define({
    queueable: true,
    defaultPriority: 5,
    description: "Mise à jour configuration",
    restartRule: "rerun",
    params: z.strictObject({
      configuration: z.record(z.string(), z.unknown()).meta({ title: "Configuration (objet JSON)" }),
    }),
    result: z.object({ path: z.string(), bytes: z.number().int(), previousKept: z.boolean() }),
  }),
  deploy_video: define({
    queueable: true,
    defaultPriority: 5,
    description: "Déploiement vidéo",
    restartRule: "rerun",
    params: z.strictObject({
      videoId: z.string().min(1).max(200).meta({ title: "Identifiant de la vidéo" }),
      url: httpUrl.meta({ title: "URL de téléchargement" }),
      filename: safeFileName.meta({ title: "Nom du fichier" }),
      sha256: sha256Hex.optional().meta({ title: "Empreinte SHA-256" }),
      size: z.number().int().nonnegative().optional().meta({ title: "Taille (octets)" }),
    }),
    result: z.object({
      videoId: z.string(),
      filename: z.string(),
      size: z.number().int(),
      sha256: z.string(),
      alreadyPresent: z.boolean(),
    }),
  }),
  delete_video: define({
    queueable: true,
    defaultPriority: 5,
    description: "Suppression vidéo",
    restartRule: "rerun",
    params: z.strictObject({
      filename: safeFileName.meta({ title: "Nom du fichier" }),
      videoId: z.string().min(1).max(200).optional().meta({ title: "Identifiant de la vidéo" }),
    }),
    result: z.object({ filename: z.string(), deleted: z.boolean() }),
  }),
  update_software: define({
    queueable: true,
    defaultPriority: 5,
    description: "Mise à jour logicielle",
    restartRule: "report_interrupted",
    params: z.strictObject({
      version: softwareVersion.meta({ title: "Version" }),
      url: httpUrl.optional().meta({ title: "URL du paquet" }),
      sha256: sha256Hex.optional().meta({ title: "Empreinte SHA-256" }),
    }),
    result: z.object({
      version: z.string(),
      exitCode: z.number().int(),
      stdout: z.string(),
      stderr: z.string(),
      durationMs: z.number(),
    }),
  }),
  get_logs: define({
    queueable: false,
    defaultPriority: 5,
    description: "Récupération des logs",
    restartRule: "rerun",
    params: z.strictObject({
      lines: z.number().int().min(1).max(10_000).optional().meta({ title: "Nombre de lignes" }),
      since: isoDateTime.optional().meta({ title: "Depuis (date ISO 8601)" }),
    }),
    result: z.object({ source: z.enum(["journald", "file"]), lines: z.array(logLine) }),
  }),
  get_system_info: define({
    queueable: false,
    defaultPriority: 5,
    description: "Informations système",
    restartRule: "rerun",
    params: noParams,
    result: z.record(z.string(), z.unknown()),
  }),
  get_config: define({
    queueable: false,
    defaultPriority: 5,
    description: "Lecture de la configuration",
    restartRule: "rerun",
    params: noParams,
    result: z.object({ path: z.string(), configuration: z.record(z.string(), z.unknown()).nullable() }),
  }),
  network_diagnostics: define({
    queueable: false,
    defaultPriority: 5,
    description: "Diagnostic réseau",
    restartRule: "rerun",
    params: noParams,
    result: z.object({
      checks: z.array(
        z.object({ name: z.string(), ok: z.boolean(), detail: z.string(), durationMs: z.number() }),
      ),
    }),
  }),
  get_hotspot_config: define({
    queueable: false,
    defaultPriority: 5,
    description: "Configuration hotspot WiFi",
    restartRule: "rerun",
    params: noParams,
    result: z.object({ path: z.string(), settings: z.record(z.string(), z.string()) }),
  }),
});

export type CommandCatalogue = typeof COMMANDS;
export type CommandType = keyof CommandCatalogue;
export type CommandParams<T extends CommandType> = z.output<CommandCatalogue[T]["params"]>;
export type CommandResult<T extends CommandType> = z.output<CommandCatalogue[T]["result"]>;

export const COMMAND_TYPES = Object.freeze(Object.keys(COMMANDS) as CommandType[]);
export const QUEUEABLE_COMMAND_TYPES = Object.freeze(
  COMMAND_TYPES.filter((type) => COMMANDS[type].queueable),
);

export function isCommandType(value: unknown): value is CommandType {
  return typeof value === "string" && Object.hasOwn(COMMANDS, value);
}

export const PRIORITY_MIN = 1;
export const PRIORITY_MAX = 10;
export const priority = z.number().int().min(PRIORITY_MIN).max(PRIORITY_MAX);

/** Labels of §6 of the reference, for people reading priorities. */
export function priorityLabel(value: number): "Urgent" | "Haute" | "Normal" | "Basse" | "Très basse" {
  if (value <= 1) return "Urgent";
  if (value <= 4) return "Haute";
  if (value === 5) return "Normal";
  if (value <= 9) return "Basse";
  return "Très basse";
}
