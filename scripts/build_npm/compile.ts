import ts from "typescript";

/** A build step that failed, with a message meant to be read as it is. */
export class BuildError extends Error {
  override name = "BuildError";
}

/** What {@linkcode compile} needs to emit one module format. */
export interface CompileOptions {
  /** The repository root; it becomes `rootDir`, so `src/` stays `src/`. */
  root: string;
  /** Absolute paths of the modules `deno.json` exports. */
  entryPoints: readonly string[];
  /** `deno.json`'s `compilerOptions`, applied as they are. */
  compilerOptions: Record<string, unknown>;
  format: "esm" | "cjs";
  outDir: string;
}

/**
 * Compiles the entry points, and every module they import, to JavaScript of
 * one format with declarations and source maps beside it. The compiler
 * rewrites the `.ts` of relative imports to `.js` itself
 * (`rewriteRelativeImportExtensions`). Any diagnostic, even a warning, fails
 * the build.
 *
 * @returns The names of the runtime values each entry point exports.
 */
export function compile(options: CompileOptions): Record<string, string[]> {
  const fromDeno = ts.convertCompilerOptionsFromJson(
    options.compilerOptions,
    options.root,
  );
  failOnDiagnostics(fromDeno.errors, `reading compilerOptions of deno.json`);

  const compilerOptions: ts.CompilerOptions = {
    ...fromDeno.options,
    target: ts.ScriptTarget.ES2022,
    module: options.format === "esm"
      ? ts.ModuleKind.ES2022
      : ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    rewriteRelativeImportExtensions: true,
    // The web platform globals the code uses (fetch, AbortSignal, Headers…),
    // and nothing from Deno or Node.
    // esnext.disposable for the queue's Symbol.asyncDispose, which runtimes
    // without it (Node.js before 20.4) simply never call.
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.esnext.disposable.d.ts"],
    types: [],
    rootDir: options.root,
    outDir: options.outDir,
    declaration: true,
    sourceMap: true,
    inlineSources: true,
    newLine: ts.NewLineKind.LineFeed,
    noEmitOnError: true,
    skipLibCheck: false,
  };
  const program = ts.createProgram({
    rootNames: [...options.entryPoints],
    options: compilerOptions,
  });
  const label = `compiling ${options.format.toUpperCase()}`;
  failOnDiagnostics(ts.getPreEmitDiagnostics(program), label);
  const emitted = program.emit();
  failOnDiagnostics(emitted.diagnostics, label);
  if (emitted.emitSkipped) {
    throw new BuildError(`${label}: the compiler skipped the emit`);
  }
  return valueExports(program, options);
}

function failOnDiagnostics(
  diagnostics: readonly ts.Diagnostic[],
  step: string,
): void {
  if (diagnostics.length === 0) return;
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (fileName) => fileName,
    getCurrentDirectory: () => Deno.cwd(),
    getNewLine: () => "\n",
  };
  const text = !Deno.noColor && Deno.stderr.isTerminal()
    ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host)
    : ts.formatDiagnostics(diagnostics, host);
  throw new BuildError(
    `${step} failed with ${diagnostics.length} TypeScript diagnostic(s):\n${text}`,
  );
}

/** The names of the runtime values (not types) that each entry point exports. */
function valueExports(
  program: ts.Program,
  options: CompileOptions,
): Record<string, string[]> {
  const checker = program.getTypeChecker();
  const result: Record<string, string[]> = {};
  for (const entryPoint of options.entryPoints) {
    const sourceFile = program.getSourceFile(entryPoint);
    const module = sourceFile && checker.getSymbolAtLocation(sourceFile);
    if (!module) {
      throw new BuildError(`Cannot find the exports of ${entryPoint}`);
    }
    result[entryPoint] = checker.getExportsOfModule(module)
      .filter((symbol) => isValueExport(checker, symbol))
      .map((symbol) => symbol.getName())
      .sort();
  }
  return result;
}

function isValueExport(checker: ts.TypeChecker, symbol: ts.Symbol): boolean {
  const typeOnly = symbol.declarations?.some((declaration) =>
    ts.isExportSpecifier(declaration) &&
    (declaration.isTypeOnly || declaration.parent.parent.isTypeOnly)
  );
  if (typeOnly) return false;
  const target = symbol.flags & ts.SymbolFlags.Alias
    ? checker.getAliasedSymbol(symbol)
    : symbol;
  return (target.flags & ts.SymbolFlags.Value) !== 0;
}
