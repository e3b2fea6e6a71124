/**
 * Appup and relup instructions in hotrel's JSON notation: one object per instruction with an
 * `op` discriminator. Fields left out take OTP's defaults exactly as OTP's short forms do
 * (semantics.md §3.1, docs/appup-relup-format.md). High-level instructions are only valid in
 * appups; low-level ones are valid in appups and are the only ones a relup may contain.
 *
 * The same shapes serve two places: in an appup a module may be written bare (`kv_worker`, the
 * appup's own application); in relup.json every module is a qualified id (`kvapp:kv_worker`).
 */
import { z } from 'zod';
import {
  appName,
  args,
  change,
  codeChangeMode,
  functionName,
  json,
  choices,
  leaf,
  listOf,
  modType,
  moduleId,
  moduleName,
  purge,
  startType,
  timeout,
  version,
  type Timeout,
} from './fields';
import { show } from './json';
import { BUILTIN_APPLY_TARGETS, isBuiltinApplyModule } from './names';

type ModuleLeaf = typeof moduleName;

const describeModule = (mod: ModuleLeaf): string =>
  mod === moduleId
    ? 'a module id "<app>:<relpath>"'
    : 'a module name such as "kv_worker" or "kvapp:kv_worker"';

const nodeName = leaf<string>(
  'a node name (a non-empty string)',
  (v) => typeof v === 'string' && v.length > 0,
);

/**
 * A suspend entry: a module name, or `{"module", "timeout"}` (OTP's `{Mod, Timeout}`). Dispatches on
 * the value's type so that an error names the offending field (`timeout`) rather than the union.
 */
function suspendEntry(mod: ModuleLeaf) {
  const withTimeout = z.strictObject({ module: mod, timeout });
  return z.unknown().transform((value, ctx): string | { module: string; timeout: Timeout } => {
    const result = (typeof value === 'object' && value !== null ? withTimeout : mod).safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      ctx.issues.push({ ...issue, input: value, path: issue.path } as never);
    }
    return z.NEVER;
  }) as unknown as z.ZodType<string | { module: string; timeout: Timeout }>;
}

/** The low-level instruction set (release_handler_1's), parameterised by how modules are named. */
function lowLevel(mod: ModuleLeaf) {
  const modules = listOf(mod, 'a list of module names');
  // An apply may also target a built-in pseudo-module, always written bare.
  const applyModule = leaf<string>(
    `${describeModule(mod)}, or the built-in "application" or "supervisor"`,
    (v) => (typeof v === 'string' && isBuiltinApplyModule(v)) || mod.safeParse(v).success,
  );
  const applyTarget = z
    .strictObject({
      module: applyModule,
      function: functionName,
      args: args.default([]),
    })
    .superRefine(checkBuiltinApply);
  return {
    load_object_code: z
      .strictObject({
        op: z.literal('load_object_code'),
        app: appName,
        vsn: version,
        modules,
      })
      .superRefine((value, ctx) => {
        // The code is read from lib/<app>-<vsn>: a module of another application is not there.
        value.modules.forEach((m, i) => {
          if (m.includes(':') && m.slice(0, m.indexOf(':')) !== value.app) {
            ctx.addIssue({
              code: 'custom',
              path: ['modules', i],
              message: `expected a module of "${value.app}" (its code is read from lib/${value.app}-${value.vsn}), got ${show(m)}`,
            });
          }
        });
      }),
    point_of_no_return: z.strictObject({ op: z.literal('point_of_no_return') }),
    load: z.strictObject({
      op: z.literal('load'),
      module: mod,
      prePurge: purge.default('brutal_purge'),
      postPurge: purge.default('brutal_purge'),
    }),
    remove: z.strictObject({
      op: z.literal('remove'),
      module: mod,
      prePurge: purge.default('brutal_purge'),
      postPurge: purge.default('brutal_purge'),
    }),
    purge: z.strictObject({ op: z.literal('purge'), modules }),
    suspend: z.strictObject({
      op: z.literal('suspend'),
      modules: listOf(suspendEntry(mod), 'a list of module names or {"module", "timeout"} objects'),
    }),
    resume: z.strictObject({ op: z.literal('resume'), modules }),
    code_change: z.strictObject({
      op: z.literal('code_change'),
      mode: codeChangeMode.default('up'),
      modules: listOf(
        z.strictObject(
          { module: mod, extra: json.default([]) },
          {
            error: (issue) => `expected {"module": <name>, "extra": <JSON value>}, got ${show(issue.input)}`,
          },
        ),
        'a list of {"module", "extra"} objects',
      ),
    }),
    stop: z.strictObject({ op: z.literal('stop'), modules }),
    start: z.strictObject({ op: z.literal('start'), modules }),
    sync_nodes: z
      .strictObject({
        op: z.literal('sync_nodes'),
        id: json,
        nodes: listOf(nodeName, 'a list of node names').optional(),
        apply: applyTarget.optional(),
      })
      .superRefine((value, ctx) => {
        if ((value.nodes === undefined) === (value.apply === undefined)) {
          ctx.addIssue({
            code: 'custom',
            path: [],
            message:
              'expected exactly one of "nodes" (a list of node names) or "apply" ({"module", "function", "args"} returning the node list)',
          });
        }
      }),
    apply: z
      .strictObject({
        op: z.literal('apply'),
        module: applyModule,
        function: functionName,
        args: args.default([]),
      })
      .superRefine(checkBuiltinApply),
    restart_new_emulator: z.strictObject({ op: z.literal('restart_new_emulator') }),
    restart_emulator: z.strictObject({ op: z.literal('restart_emulator') }),
  };
}

/**
 * The pseudo-modules `application` and `supervisor` accept only the calls the release handler
 * implements for them, with their argument shapes; anything else would fail at install time.
 */
function checkBuiltinApply(
  value: { module: string; function: string; args: unknown[] },
  ctx: z.RefinementCtx,
): void {
  if (!isBuiltinApplyModule(value.module)) return;
  const allowed: readonly string[] = BUILTIN_APPLY_TARGETS[value.module];
  if (!allowed.includes(value.function)) {
    ctx.addIssue({
      code: 'custom',
      path: ['function'],
      message: `expected ${choices(allowed)} for the built-in module "${value.module}", got ${show(value.function)}`,
    });
    return;
  }
  const expected =
    value.module === 'supervisor'
      ? { n: [2], what: '[<supervisor name>, <child id>]' }
      : value.function === 'start'
        ? { n: [1, 2], what: '[<application>] or [<application>, <start type>]' }
        : { n: [1], what: '[<application>]' };
  const a = value.args;
  const shapeOk =
    expected.n.includes(a.length) &&
    typeof a[0] === 'string' &&
    (value.module === 'supervisor' || appName.safeParse(a[0]).success) &&
    (value.function !== 'start' || a.length === 1 || startType.safeParse(a[1]).success);
  if (!shapeOk) {
    ctx.addIssue({
      code: 'custom',
      path: ['args'],
      message: `expected ${expected.what} for ${value.module}.${value.function}, got ${show(a)}`,
    });
  }
}

/** The high-level instruction set (systools'), in an appup. */
function highLevel(mod: ModuleLeaf) {
  const deps = listOf(mod, 'a list of module names').optional();
  return {
    load_module: z.strictObject({
      op: z.literal('load_module'),
      module: mod,
      prePurge: purge.optional(),
      postPurge: purge.optional(),
      deps,
    }),
    update: z
      .strictObject({
        op: z.literal('update'),
        module: mod,
        supervisor: leaf<true>('true (or leave the field out)', (v) => v === true).optional(),
        modType: modType.optional(),
        timeout: timeout.optional(),
        change: change.optional(),
        prePurge: purge.optional(),
        postPurge: purge.optional(),
        deps,
      })
      .superRefine((value, ctx) => {
        // {update, M, supervisor} fixes ModType (static) and Change ({advanced, []}).
        if (value.supervisor !== true) return;
        for (const field of ['modType', 'change'] as const) {
          if (value[field] !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [field],
              message: `expected nothing: "supervisor": true implies "modType": "static" and "change": {"advanced": []}, got ${show(value[field])}`,
            });
          }
        }
      }),
    add_module: z.strictObject({ op: z.literal('add_module'), module: mod, deps }),
    delete_module: z.strictObject({ op: z.literal('delete_module'), module: mod, deps }),
    add_application: z.strictObject({
      op: z.literal('add_application'),
      application: appName,
      type: startType.optional(),
    }),
    remove_application: z.strictObject({ op: z.literal('remove_application'), application: appName }),
    restart_application: z.strictObject({ op: z.literal('restart_application'), application: appName }),
    // Accepted by systools' syntax check and then refused by the translator; kept for fidelity.
    mnesia_backup: z.strictObject({ op: z.literal('mnesia_backup') }),
  };
}

const appupLow = lowLevel(moduleName);
const appupHigh = highLevel(moduleName);
const relupLow = lowLevel(moduleId);

const qualifiedHigh = highLevel(moduleId);

/** Every `op` an appup may use, high-level first. */
export const APPUP_OPS = [...Object.keys(appupHigh), ...Object.keys(appupLow)] as readonly string[];
/** Every `op` a relup may use (the low-level set). */
export const RELUP_OPS = Object.keys(relupLow) as readonly string[];

function byOp<const S extends Record<string, z.ZodType>>(schemas: S, ops: readonly string[]) {
  const options = Object.values(schemas) as unknown as [S[keyof S], ...S[keyof S][]];
  return z.discriminatedUnion('op', options as never, {
    error: (issue) => {
      const input = issue.input as { op?: unknown } | undefined;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        return `expected an instruction object such as {"op": "load_module", "module": "kv_worker"}, got ${show(input)}`;
      }
      return `expected "op" to be one of ${choices(ops)}, got ${show(input.op)}`;
    },
  }) as unknown as z.ZodType<z.output<S[keyof S]>, z.input<S[keyof S]>>;
}

/** An instruction as written in an appup (high- or low-level). */
export const appupInstruction = byOp({ ...appupHigh, ...appupLow }, APPUP_OPS);
/**
 * An appup instruction whose module names have all been qualified (`kvapp:kv_worker`): what the
 * relup translator checks its input against (OTP's check_syntax step).
 */
export const qualifiedInstruction = byOp({ ...qualifiedHigh, ...relupLow }, APPUP_OPS);
/** An instruction of a relup script (low-level, qualified module ids). */
export const relupInstruction = byOp(relupLow, RELUP_OPS);

/** Allowed fields of each op, for "unknown field" messages. */
export const FIELDS_BY_OP: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries({ ...appupHigh, ...appupLow }).map(([op, schema]) => [op, Object.keys(shapeOf(schema))]),
);

function shapeOf(schema: z.ZodType): Record<string, unknown> {
  return schema instanceof z.ZodObject ? schema.shape : {};
}

export type AppupInstruction = z.output<typeof appupInstruction>;
/** What an author may write (defaults left out), e.g. from the appup builders. */
export type AppupInstructionInput = z.input<typeof appupInstruction>;
export type RelupInstruction = z.output<typeof relupInstruction>;
export type RelupInstructionInput = z.input<typeof relupInstruction>;

/** Narrows an instruction union to one op. */
export type Op<I extends { op: string }, K extends I['op']> = Extract<I, { op: K }>;

export const HIGH_LEVEL_OPS: readonly string[] = Object.keys(appupHigh);
export const LOW_LEVEL_OPS: readonly string[] = Object.keys(appupLow);

/**
 * The OTP error atom (systools_rc:check_op, semantics.md §4.7) for a validation issue inside an
 * instruction. `rest` is the issue's path below the instruction (`["prePurge"]`,
 * `["deps", 2]`, `["modules", 0, "timeout"]`).
 */
export function instructionErrorKind(
  op: string | undefined,
  rest: readonly PropertyKey[],
): InstructionErrorKind {
  const [field, index, sub] = rest;
  if (field === undefined || field === 'op') return 'bad_instruction';
  if (rest.length === 1) {
    switch (field) {
      case 'deps':
      case 'modules':
      case 'nodes':
        return 'bad_list';
      case 'args':
        return 'bad_args_list';
      case 'module':
        return 'bad_module';
      case 'change':
        return 'bad_change';
      case 'modType':
        return 'bad_mod_type';
      case 'prePurge':
      case 'postPurge':
        return 'bad_purge_method';
      case 'timeout':
        return 'bad_timeout';
      case 'application':
        return 'bad_application';
      case 'type':
        return 'bad_start_type';
      case 'function':
        return 'bad_func';
      case 'app':
        return 'bad_lib';
      case 'vsn':
        return 'bad_lib_vsn';
      case 'mode':
        return 'bad_mode';
      default:
        return 'bad_instruction';
    }
  }
  if (field === 'nodes') return 'bad_node';
  if (field === 'args') return 'bad_args_list';
  if (field === 'apply') return instructionErrorKind('apply', rest.slice(1));
  if (field === 'modules' && typeof index === 'number') {
    if (op === 'code_change') return sub === 'module' ? 'bad_module' : 'bad_code_change';
    if (op === 'suspend' && sub === 'timeout') return 'bad_timeout';
    return 'bad_module';
  }
  if (field === 'deps') return 'bad_module';
  return 'bad_instruction';
}

/** systools_rc's syntax error atoms (§4.7). */
export const INSTRUCTION_ERROR_KINDS = [
  'bad_instruction',
  'bad_module',
  'bad_change',
  'bad_mod_type',
  'bad_purge_method',
  'bad_list',
  'bad_args_list',
  'bad_node',
  'bad_application',
  'bad_start_type',
  'bad_func',
  'bad_lib',
  'bad_lib_vsn',
  'bad_timeout',
  'bad_mode',
  'bad_code_change',
] as const;
export type InstructionErrorKind = (typeof INSTRUCTION_ERROR_KINDS)[number];
