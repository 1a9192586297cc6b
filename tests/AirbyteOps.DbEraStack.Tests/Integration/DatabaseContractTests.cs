using AirbyteOps.DbEraStack.Tests.Support;

namespace AirbyteOps.DbEraStack.Tests.Integration;

/// <summary>
/// The database the stand-in's bootloader makes, read back from Postgres, against Airbyte 0.50.33's own files: every
/// table and column of both schema dumps with its type and nullability, and a Flyway history that ends at the newest
/// migration of flyway-migrations.txt.
/// </summary>
public sealed class DatabaseContractTests(DbEraFixture fixture) : IClassFixture<DbEraFixture>
{
    private DbEraContainers Stack => fixture.Stack;

    [Theory]
    [InlineData("configs_schema_dump.txt")]
    [InlineData("jobs_schema_dump.txt")]
    public async Task Every_table_and_column_of_the_dump_is_there_with_its_type_and_nullability(string dump)
    {
        var expected = ReferenceDump.Read(AirbyteReference.DbEra(AirbyteReference.V05033, dump));
        var rows = await Stack.QueryAsync(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, t.typtype = 'e' " +
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid " +
            "WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped");
        var actual = rows.GroupBy(r => (string)r[0]!).ToDictionary(g => g.Key, g => g.ToDictionary(r => (string)r[1]!, r => ((string)r[2]!, (bool)r[3]!, (bool)r[4]!)));
        var problems = new List<string>();
        foreach (var (table, columns) in expected)
        {
            if (!actual.TryGetValue(table, out var have)) { problems.Add($"table {table} is missing"); continue; }
            foreach (var (column, want) in columns)
            {
                if (!have.TryGetValue(column, out var got)) { problems.Add($"{table}.{column} is missing"); continue; }
                if (!ReferenceDump.SameType(want.Type, got.Item1, got.Item3)) problems.Add($"{table}.{column} is {got.Item1}, the dump says {want.Type}");
                if (want.NotNull != got.Item2) problems.Add($"{table}.{column} not null is {got.Item2}, the dump says {want.NotNull}");
            }
            foreach (var extra in have.Keys.Except(columns.Keys)) problems.Add($"{table}.{extra} is not in the dump");
        }
        Assert.Empty(problems);
        Assert.NotEmpty(expected);
    }

    [Fact]
    public async Task No_table_is_there_that_neither_dump_has_except_the_runtime_secrets_table()
    {
        var known = ReferenceDump.Read(AirbyteReference.DbEra(AirbyteReference.V05033, "configs_schema_dump.txt")).Keys
            .Concat(ReferenceDump.Read(AirbyteReference.DbEra(AirbyteReference.V05033, "jobs_schema_dump.txt")).Keys).ToHashSet();
        var tables = (await Stack.QueryAsync("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).Select(r => (string)r[0]!).ToList();
        Assert.Equal(["secrets"], tables.Where(t => !known.Contains(t)).ToList());
    }

    [Theory]
    [InlineData("configs")]
    [InlineData("jobs")]
    public async Task The_Flyway_history_holds_every_migration_and_ends_at_the_newest_of_0_50_33(string database)
    {
        var listed = File.ReadAllLines(AirbyteReference.DbEra(AirbyteReference.V05033, "flyway-migrations.txt"))
            .Where(l => l.StartsWith(database + " ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[1]).Select(n => n[1..n.IndexOf("__", StringComparison.Ordinal)].Replace('_', '.')).ToList();
        var history = (await Stack.QueryAsync($"SELECT version, success FROM airbyte_{database}_migrations ORDER BY installed_rank")).ToList();
        Assert.Equal(listed.Order(StringComparer.Ordinal), history.Select(r => (string)r[0]!).Order(StringComparer.Ordinal));
        Assert.All(history, r => Assert.True((bool)r[1]!));
        static decimal Key(string v) => v.Split('.').Select(decimal.Parse).Aggregate(0m, (acc, p) => acc * 10_000 + p);
        // Flyway's current version is the highest applied one; the last installed row is it, as after a real migrate.
        Assert.Equal(listed.MaxBy(Key), (string)history[^1][0]!);
    }

    [Fact]
    public async Task The_bootloader_run_again_changes_nothing_and_exits_0()
    {
        const string digest =
            "SELECT (SELECT string_agg(installed_rank || ':' || version, ',' ORDER BY installed_rank) FROM airbyte_configs_migrations) || '|' || " +
            "(SELECT string_agg(installed_rank || ':' || version, ',' ORDER BY installed_rank) FROM airbyte_jobs_migrations) || '|' || " +
            "(SELECT string_agg(id::text, ',' ORDER BY id) FROM workspace) || '|' || (SELECT string_agg(id::text || default_version_id::text, ',' ORDER BY id) FROM actor_definition) || '|' || " +
            "(SELECT string_agg(key || '=' || value, ',' ORDER BY key) FROM airbyte_metadata)";
        var before = (string)(await Stack.QueryAsync(digest))[0][0]!;
        var (exit, output) = await Stack.RunBootloaderAsync();
        Assert.Equal(0, exit);
        Assert.Contains(output, l => l.Contains("nothing to migrate", StringComparison.Ordinal));
        Assert.Equal(before, (string)(await Stack.QueryAsync(digest))[0][0]!);
        Assert.Contains("airbyte_version=0.50.33", before, StringComparison.Ordinal);
    }
}
