using System.Text.RegularExpressions;
using AirbyteOps.StandIns.DbEraStack.Schema;

namespace AirbyteOps.DbEraStack.Tests.Unit;

/// <summary>The stand-in's reading of Airbyte's schema dumps and Flyway list, against the reference files themselves.</summary>
public sealed class SchemaScriptTests
{
    public static TheoryData<string> Files => new() { "configs_schema_dump.txt", "jobs_schema_dump.txt", "flyway-migrations.txt" };

    [Theory]
    [MemberData(nameof(Files))]
    public void The_copies_the_stand_in_carries_are_the_reference_files_byte_for_byte(string name)
    {
        var carried = Path.Combine(RepositoryPaths.Root, "src", "StandIns", "DbEraStack", "reference", name);
        Assert.Equal(File.ReadAllBytes(AirbyteReference.DbEra(AirbyteReference.V05033, name)), File.ReadAllBytes(carried));
    }

    [Theory]
    [InlineData("configs_schema_dump.txt")]
    [InlineData("jobs_schema_dump.txt")]
    public void The_script_keeps_every_table_and_column_line_of_the_dump(string name)
    {
        var dump = File.ReadAllText(AirbyteReference.DbEra(AirbyteReference.V05033, name));
        var script = SchemaScript.FromDump(dump);
        var tables = Regex.Matches(dump, "^create table \"public\"\\.\"([a-z0-9_]+)\"", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(tables);
        foreach (var table in tables) Assert.Contains($"create table \"public\".\"{table}\" (", script, StringComparison.Ordinal);
        // Each column line survives with its name; only 'any' and varchar(2147483647) are rewritten.
        foreach (Match column in Regex.Matches(dump, "^  \"([a-z0-9_]+)\" ", RegexOptions.Multiline))
            Assert.Contains(column.Value, script, StringComparison.Ordinal);
        Assert.Equal(Regex.Matches(dump, "^create (unique )?index ", RegexOptions.Multiline).Count, Regex.Matches(script, "^create (unique )?index ", RegexOptions.Multiline).Count);
        Assert.Equal(Regex.Matches(dump, "foreign key", RegexOptions.Multiline).Count, Regex.Matches(script, "foreign key", RegexOptions.Multiline).Count);
        Assert.DoesNotMatch("\" any[, ]", script);
        Assert.DoesNotContain("varchar(2147483647)", script, StringComparison.Ordinal);
        Assert.DoesNotContain("//", script.Split('\n').Where(l => l.StartsWith("//", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("configs_schema_dump.txt")]
    [InlineData("jobs_schema_dump.txt")]
    public void Every_enum_type_a_column_uses_is_created_first(string name)
    {
        var script = SchemaScript.FromDump(File.ReadAllText(AirbyteReference.DbEra(AirbyteReference.V05033, name)));
        var created = Regex.Matches(script, "CREATE TYPE \"public\"\\.\"([a-z_]+)\"").Select(m => (m.Groups[1].Value, m.Index)).ToList();
        var firstTable = script.IndexOf("create table", StringComparison.Ordinal);
        var used = Regex.Matches(script, "^  \"[a-z0-9_]+\" \"public\"\\.\"([a-z_]+)\"", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(used);
        foreach (var type in used) Assert.Contains(created, c => c.Value == type && c.Index < firstTable);
    }

    [Fact]
    public void An_any_column_the_stand_in_does_not_know_is_refused_not_guessed()
    {
        var dump = "create table \"public\".\"jobs\" (\n  \"id\" bigint not null,\n  \"mystery\" any,\n  constraint \"jobs_pkey\"\n    primary key (\"id\")\n);\n";
        var error = Assert.Throws<InvalidDataException>(() => SchemaScript.FromDump(dump));
        Assert.Contains("jobs.mystery", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_migration_list_parses_to_every_line_and_the_newest_is_the_highest_version_part_by_part()
    {
        var path = AirbyteReference.DbEra(AirbyteReference.V05033, "flyway-migrations.txt");
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToList();
        var migrations = FlywayMigrations.Parse(File.ReadAllText(path));
        Assert.Equal(lines.Count, migrations.Count);
        foreach (var database in new[] { "configs", "jobs" })
        {
            // The test's own newest: the largest tuple of numbers in the class names of that database.
            var expected = lines.Where(l => l.StartsWith(database + " ", StringComparison.Ordinal))
                .Select(l => l.Split(' ')[1])
                .OrderBy(n => n[1..n.IndexOf("__", StringComparison.Ordinal)].Split('_').Select(long.Parse).Aggregate(0m, (acc, p) => acc * 10_000 + p))
                .Last();
            var newest = FlywayMigrations.Newest(migrations, database);
            Assert.Equal(expected, newest.ClassName);
            Assert.Equal(expected[1..expected.IndexOf("__", StringComparison.Ordinal)].Replace('_', '.'), newest.Version);
        }
    }

    [Theory]
    [InlineData("0.50.4.001", "0.50.24.006", -1)]
    [InlineData("0.40.26.001", "0.40.3.001", 1)]
    [InlineData("0.35.1.001", "0.35.1.001", 0)]
    public void Versions_compare_as_numbers_not_text(string a, string b, int sign) =>
        Assert.Equal(sign, Math.Sign(FlywayMigrations.CompareVersions(a, b)));
}
