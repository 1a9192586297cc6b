using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace AirbyteOps.StandIns.Dbt;

/// <summary>
/// <c>dbt run</c>: renders every model, then creates each one in dependency order as a table (dropping an older one) or a
/// view, in one transaction per model. Prints dbt 0.18's lines and its closing Done line; exit code 1 when a model failed.
/// </summary>
public static class RunCommand
{
    public static async Task<int> RunAsync(CommandLine line)
    {
        var project = DbtProject.Load(line.ProjectDirectory);
        var target = ProfileTarget.Load(line.ProfilesDirectory, project.Profile, line.Target);
        var models = ModelFile.Discover(project);
        var sources = SourceCatalog.Load(project);
        Console.WriteLine($"Found {models.Count} model{(models.Count == 1 ? "" : "s")}, 0 tests, 0 snapshots, 0 analyses, {ModelRenderer.KnownMacros.Count} macros, 0 operations, 0 seed files, {sources.Count} source{(sources.Count == 1 ? "" : "s")}");
        Console.WriteLine();
        if (models.Count == 0)
        {
            Console.WriteLine("WARNING: Nothing to do. Try checking your model configs and model specification args");
            return 0;
        }

        var renderer = new ModelRenderer(project, target, sources, models.Select(m => m.Name).ToHashSet(StringComparer.Ordinal));
        var rendered = new Dictionary<string, RenderedModel>(StringComparer.Ordinal);
        var compileErrors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            try { rendered[model.Name] = renderer.Render(model); }
            catch (CompilationException ex) { compileErrors[model.Name] = ex.Message; }
        }
        var order = Order(models, rendered);

        DbtConsole.Line($"Concurrency: {target.Threads} threads (target='{target.TargetName}')");
        DbtConsole.Line();
        var clock = Stopwatch.StartNew();
        var outcomes = new List<ModelOutcome>();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        NpgsqlConnection? connection = null;
        string? connectError = null;
        try
        {
            var index = 0;
            foreach (var model in order)
            {
                index++;
                var materialized = rendered.TryGetValue(model.Name, out var r) ? r.Materialized : "table";
                var schema = r?.Schema ?? target.Schema;
                var display = $"{schema}.{model.Name}";
                if (r is not null && r.Refs.FirstOrDefault(failed.Contains) is { } upstream)
                {
                    failed.Add(model.Name);
                    DbtConsole.Status(index, order.Count, $"SKIP relation {display} due to an upstream error in {upstream}", "SKIP", target.PrinterWidth);
                    outcomes.Add(new ModelOutcome(model.Name, "SKIP", null, null, model.ProjectRelativePath));
                    continue;
                }
                DbtConsole.Status(index, order.Count, $"START {materialized} model {display}", "RUN", target.PrinterWidth);
                var started = Stopwatch.StartNew();
                if (compileErrors.TryGetValue(model.Name, out var compileError))
                {
                    failed.Add(model.Name);
                    DbtConsole.Status(index, order.Count, $"ERROR creating {materialized} model {display}", $"ERROR in {DbtConsole.Seconds(started.Elapsed)}", target.PrinterWidth);
                    outcomes.Add(new ModelOutcome(model.Name, "ERROR", "Compilation Error", compileError, model.ProjectRelativePath));
                    continue;
                }
                var statement = CreateStatement(r!, project);
                WriteCompiled(project, r!, statement);
                try
                {
                    if (connection is null && connectError is null)
                    {
                        try
                        {
                            connection = target.CreateConnection();
                            await connection.OpenAsync().ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                        {
                            connectError = ex.Message;
                        }
                    }
                    if (connectError is not null) throw new ModelFailure(connectError);
                    var rows = await CreateAsync(connection!, r!, statement, project).ConfigureAwait(false);
                    var status = r!.Materialized == "table" ? $"SELECT {rows}" : "CREATE VIEW";
                    DbtConsole.Status(index, order.Count, $"OK created {materialized} model {display}", $"{status} in {DbtConsole.Seconds(started.Elapsed)}", target.PrinterWidth);
                    outcomes.Add(new ModelOutcome(model.Name, "PASS", null, null, model.ProjectRelativePath));
                }
                catch (ModelFailure ex)
                {
                    failed.Add(model.Name);
                    DbtConsole.Status(index, order.Count, $"ERROR creating {materialized} model {display}", $"ERROR in {DbtConsole.Seconds(started.Elapsed)}", target.PrinterWidth);
                    outcomes.Add(new ModelOutcome(model.Name, "ERROR", "Database Error", ex.Message, model.ProjectRelativePath));
                }
            }
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        }

        DbtConsole.Line();
        var counts = outcomes.GroupBy(o => o.Status).ToDictionary(g => g.Key, g => g.Count());
        var kinds = order.GroupBy(m => rendered.TryGetValue(m.Name, out var r) ? r.Materialized : "table")
            .Select(g => $"{g.Count()} {g.Key} model{(g.Count() == 1 ? "" : "s")}");
        DbtConsole.Line($"Finished running {string.Join(", ", kinds)} in {DbtConsole.Seconds(clock.Elapsed)}.");
        Console.WriteLine();
        var errors = outcomes.Where(o => o.Status == "ERROR").ToList();
        if (errors.Count == 0)
        {
            Console.WriteLine("Completed successfully");
        }
        else
        {
            Console.WriteLine($"Completed with {errors.Count} error{(errors.Count == 1 ? "" : "s")} and 0 warnings:");
            foreach (var error in errors)
            {
                Console.WriteLine();
                Console.WriteLine($"{error.ErrorKind} in model {error.Name} ({error.ProjectRelativePath})");
                foreach (var messageLine in (error.Message ?? "").Split('\n')) Console.WriteLine($"  {messageLine}");
                if (error.ErrorKind == "Database Error")
                    Console.WriteLine($"  compiled SQL at {Path.Combine(project.TargetPath, "run", project.Name, Path.ChangeExtension(models.First(m => m.Name == error.Name).ModelPathRelative, ".sql"))}");
            }
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Done. PASS={counts.GetValueOrDefault("PASS")} WARN=0 ERROR={counts.GetValueOrDefault("ERROR")} SKIP={counts.GetValueOrDefault("SKIP")} TOTAL={outcomes.Count}"));
        return errors.Count == 0 ? 0 : 1;
    }

    /// <summary>Dependency order (refs first), ties by file order; a cycle is a project error, as in dbt.</summary>
    private static List<ModelFile> Order(IReadOnlyList<ModelFile> models, IReadOnlyDictionary<string, RenderedModel> rendered)
    {
        var byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var result = new List<ModelFile>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        void Visit(ModelFile model, Stack<string> path)
        {
            if (state.GetValueOrDefault(model.Name) == 2) return;
            if (state.GetValueOrDefault(model.Name) == 1)
                throw new ProjectException($"Found a cycle: {string.Join(" --> ", path.Reverse().Append(model.Name))}");
            state[model.Name] = 1;
            path.Push(model.Name);
            foreach (var dependency in rendered.TryGetValue(model.Name, out var r) ? r.Refs : [])
                Visit(byName[dependency], path);
            path.Pop();
            state[model.Name] = 2;
            result.Add(model);
        }
        foreach (var model in models) Visit(model, new Stack<string>());
        return result;
    }

    private static string Quote(string name, DbtProject project, string part) =>
        project.Quotes(part) ? $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : name;

    private static string CreateStatement(RenderedModel model, DbtProject project)
    {
        var relation = $"{Quote(model.Schema, project, "schema")}.{Quote(model.File.Name, project, "identifier")}";
        return $"create {model.Materialized} {relation} as (\n{model.Sql.Trim()}\n)";
    }

    private static async Task<long> CreateAsync(NpgsqlConnection connection, RenderedModel model, string statement, DbtProject project)
    {
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, transaction, $"create schema if not exists {Quote(model.Schema, project, "schema")}").ConfigureAwait(false);
            // Drop what is there under this name, whichever kind it is (DROP TABLE on a view is an error in Postgres).
            await using (var lookup = new NpgsqlCommand("select c.relkind::text from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = @schema and c.relname = @name", connection, transaction))
            {
                lookup.Parameters.AddWithValue("schema", model.Schema);
                lookup.Parameters.AddWithValue("name", model.File.Name);
                var kind = await lookup.ExecuteScalarAsync().ConfigureAwait(false) as string;
                var relation = $"{Quote(model.Schema, project, "schema")}.{Quote(model.File.Name, project, "identifier")}";
                var drop = kind switch { "r" or "p" => "table", "v" => "view", "m" => "materialized view", _ => null };
                if (drop is not null) await ExecuteAsync(connection, transaction, $"drop {drop} if exists {relation} cascade").ConfigureAwait(false);
            }
            // The row count comes from the command tag ("SELECT 3"): Npgsql reports no affected rows for CREATE TABLE AS.
            await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { new NpgsqlBatchCommand(statement) } };
            await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
            await transaction.CommitAsync().ConfigureAwait(false);
            return (long)batch.BatchCommands[0].Rows;
        }
        catch (PostgresException ex)
        {
            await transaction.RollbackAsync().ConfigureAwait(false);
            throw new ModelFailure(Describe(ex, statement));
        }
        catch (NpgsqlException ex)
        {
            throw new ModelFailure(ex.Message);
        }
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>psycopg2's shape, as dbt prints it: the message, then the statement line the error points at.</summary>
    private static string Describe(PostgresException ex, string statement)
    {
        var message = ex.MessageText;
        if (ex.Position > 0 && ex.Position <= statement.Length)
        {
            var before = statement[..(ex.Position - 1)];
            var lineNumber = before.Count(c => c == '\n') + 1;
            var text = statement.Split('\n')[lineNumber - 1];
            message += $"\nLINE {lineNumber}: {text.Trim()}";
        }
        return message;
    }

    /// <summary>Compiled SQL where dbt puts it (target-path/compiled and /run), so "compiled SQL at" points at a real file.</summary>
    private static void WriteCompiled(DbtProject project, RenderedModel model, string statement)
    {
        try
        {
            foreach (var (folder, text) in new[] { ("compiled", model.Sql), ("run", statement) })
            {
                var path = Path.Combine(project.Directory, project.TargetPath, folder, project.Name, model.File.ModelPathRelative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Like dbt, a read-only project still runs; only the compiled copy is missing.
        }
    }
}
