using System.Text;
using System.Text.RegularExpressions;

namespace AirbyteOps.StandIns.DbEraStack.Schema;

/// <summary>
/// Turns one of Airbyte's own schema dumps (<c>configs_schema_dump.txt</c>, <c>jobs_schema_dump.txt</c>: jOOQ's DDL of
/// the tables after every Flyway migration) into SQL Postgres runs. The tables, columns, types, defaults, keys,
/// foreign keys and indexes are the dump's, statement for statement; only what the dump cannot say is added, each
/// named here: the enum types (the dump says "it doesn't contain the enums"), the three columns it prints as
/// <c>any</c> (enums jOOQ did not know), and <c>varchar(2147483647)</c>, jOOQ's spelling of <c>text</c>.
/// </summary>
public static partial class SchemaScript
{
    /// <summary>Values of the enum types of 0.50.33 (from the Flyway migrations that create them; not in the dumps).</summary>
    public static IReadOnlyDictionary<string, string[]> EnumValues { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["actor_type"] = ["source", "destination"],
        ["auth_provider"] = ["airbyte", "google_identity_platform", "keycloak"],
        ["auto_propagation_status"] = ["ignore", "disable", "propagate_columns", "propagate_fully"],
        ["geography_type"] = ["AUTO", "US", "EU"],
        ["invitation_status"] = ["pending", "accepted", "cancelled"],
        ["job_stream_status_incomplete_run_cause"] = ["failed", "canceled"],
        ["job_stream_status_job_type"] = ["sync", "reset"],
        ["job_stream_status_run_state"] = ["pending", "running", "complete", "incomplete"],
        ["namespace_definition_type"] = ["source", "destination", "customformat"],
        ["notification_type"] = ["slack", "customerio"],
        ["operator_type"] = ["normalization", "dbt", "webhook"],
        ["permission_type"] = ["instance_admin", "workspace_admin", "workspace_owner", "workspace_reader", "organization_admin", "organization_editor", "organization_reader", "organization_member"],
        ["release_stage"] = ["alpha", "beta", "generally_available", "custom"],
        ["schedule_type"] = ["manual", "basic_schedule", "cron"],
        ["scope_type"] = ["workspace", "organization"],
        ["source_type"] = ["api", "file", "database", "custom"],
        ["state_type"] = ["STREAM", "GLOBAL", "LEGACY"],
        ["status"] = ["invited", "registered", "disabled"],
        ["status_type"] = ["active", "inactive", "deprecated"],
        ["support_level"] = ["community", "certified", "none"],
        ["support_state"] = ["supported", "deprecated", "unsupported"],
        ["job_status"] = ["pending", "running", "incomplete", "failed", "succeeded", "cancelled"],
        ["attempt_status"] = ["running", "failed", "succeeded"],
        ["job_config_type"] = ["check_connection_source", "check_connection_destination", "discover_schema", "get_spec", "sync", "reset_connection"],
    };

    /// <summary>The columns the dump prints as <c>any</c>: enums created by the jobs database's first migration.</summary>
    public static IReadOnlyDictionary<(string Table, string Column), string> AnyColumns { get; } = new Dictionary<(string, string), string>
    {
        [("jobs", "config_type")] = "job_config_type",
        [("jobs", "status")] = "job_status",
        [("attempts", "status")] = "attempt_status",
    };

    /// <summary>The SQL of a dump: CREATE TYPE for each enum it uses (skipped when present), then the dump's statements.</summary>
    public static string FromDump(string dump)
    {
        var body = new StringBuilder();
        var enums = new SortedSet<string>(StringComparer.Ordinal);
        string? table = null;
        foreach (var raw in dump.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("//", StringComparison.Ordinal)) continue;
            if (CreateTable().Match(line) is { Success: true } create) table = create.Groups["table"].Value;
            else if (line.StartsWith(");", StringComparison.Ordinal)) table = null;
            else if (table is not null && AnyColumn().Match(line) is { Success: true } any)
            {
                var column = any.Groups["column"].Value;
                if (!AnyColumns.TryGetValue((table, column), out var type))
                    throw new InvalidDataException($"Column {table}.{column} has type 'any' in the dump and no known enum.");
                line = line.Replace(" any", $" \"public\".\"{type}\"", StringComparison.Ordinal);
            }
            line = line.Replace("varchar(2147483647)", "text", StringComparison.Ordinal);
            if (table is not null && ColumnLine().Match(line) is { Success: true } typed) CollectEnum(typed.Groups["type"].Value, enums);
            body.Append(line).Append('\n');
        }
        var sql = new StringBuilder();
        foreach (var name in enums)
        {
            if (!EnumValues.TryGetValue(name, out var values)) throw new InvalidDataException($"The dump uses enum type '{name}', whose values the stand-in does not know.");
            sql.Append("DO $$ BEGIN CREATE TYPE \"public\".\"").Append(name).Append("\" AS ENUM (")
               .Append(string.Join(", ", values.Select(v => "'" + v + "'")))
               .Append("); EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n");
        }
        sql.Append(body);
        return sql.ToString();
    }

    /// <summary>The enum types a dump's columns use.</summary>
    public static IReadOnlyCollection<string> EnumsOf(string dump)
    {
        var script = FromDump(dump);
        return CreateType().Matches(script).Select(m => m.Groups["name"].Value).ToList();
    }

    private static void CollectEnum(string type, SortedSet<string> enums)
    {
        if (QuotedType().Match(type) is { Success: true } quoted) enums.Add(quoted.Groups["name"].Value);
        else if (EnumValues.ContainsKey(type)) enums.Add(type); // one column spells it bare: "geography" geography_type
    }

    [GeneratedRegex("^create table \"public\"\\.\"(?<table>[a-z0-9_]+)\" \\($")]
    private static partial Regex CreateTable();

    [GeneratedRegex("^  \"(?<column>[a-z0-9_]+)\" any(,| )")]
    private static partial Regex AnyColumn();

    [GeneratedRegex("^  \"(?<column>[a-z0-9_]+)\" (?<type>\"public\"\\.\"[a-z0-9_]+\"|[a-z_]+)")]
    private static partial Regex ColumnLine();

    [GeneratedRegex("^\"public\"\\.\"(?<name>[a-z0-9_]+)\"$")]
    private static partial Regex QuotedType();

    [GeneratedRegex("CREATE TYPE \"public\"\\.\"(?<name>[a-z0-9_]+)\"")]
    private static partial Regex CreateType();
}
