using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>
/// Stand-in for what airbyte/normalization 0.7 generated in &lt;job&gt;/&lt;attempt&gt;/normalize: a dbt project
/// (dbt_project.yml, profiles.yml pointing at the destination with its password in plaintext, packages.yml with
/// dbt-utils 0.6.2, Airbyte's json macros, models/generated/&lt;stream&gt;.sql in the tutorial's macro style and
/// models/generated/sources.yml), plus the destination_config.json and destination_catalog.json it was run with.
/// </summary>
public static class StandInNormalizationWriter
{
    public static async Task WriteAsync(string normalizeDirectory, JsonObject destinationConfiguration, JsonObject configuredCatalog, CancellationToken ct = default)
    {
        var settings = StandInPostgresSettings.From(destinationConfiguration);
        var generated = Path.Combine(normalizeDirectory, "models", "generated");
        Directory.CreateDirectory(generated);
        Directory.CreateDirectory(Path.Combine(normalizeDirectory, "macros"));
        var indented = new JsonSerializerOptions { WriteIndented = false };
        await Write("destination_config.json", destinationConfiguration.ToJsonString(indented)).ConfigureAwait(false);
        await Write("destination_catalog.json", configuredCatalog.ToJsonString(indented)).ConfigureAwait(false);
        await Write("dbt_project.yml", DbtProject).ConfigureAwait(false);
        await Write("packages.yml", Packages).ConfigureAwait(false);
        await Write("profiles.yml", Profiles(settings)).ConfigureAwait(false);
        await Write(Path.Combine("macros", "json_operations.sql"), JsonMacros).ConfigureAwait(false);
        var streams = StreamsOf(configuredCatalog);
        await Write(Path.Combine("models", "generated", "sources.yml"), Sources(settings.Schema, streams.Select(s => s.Name))).ConfigureAwait(false);
        foreach (var (name, fields) in streams)
            await Write(Path.Combine("models", "generated", $"{name}.sql"), Model(settings.Schema, name, fields)).ConfigureAwait(false);

        Task Write(string relative, string content) =>
            File.WriteAllTextAsync(Path.Combine(normalizeDirectory, relative), content, new UTF8Encoding(false), ct);
    }

    /// <summary>Stream names and their (field, JSON type) pairs, in catalog order.</summary>
    public static IReadOnlyList<(string Name, IReadOnlyList<(string Field, string Type)> Fields)> StreamsOf(JsonObject configuredCatalog) =>
        (configuredCatalog["streams"]?.AsArray() ?? [])
        .Select(s => s!["stream"]!)
        .Select(s => (s["name"]!.GetValue<string>(),
            (IReadOnlyList<(string, string)>)(s["json_schema"]?["properties"]?.AsObject() ?? [])
                .Select(p => (p.Key, p.Value?["type"] is JsonArray types ? types.Select(t => t!.GetValue<string>()).First(t => t != "null") : p.Value?["type"]?.GetValue<string>() ?? "string"))
                .ToList()))
        .ToList();

    /// <summary>The dbt type macro for a JSON type, as 0.7's transform_catalog chose it; null for nested types it skipped.</summary>
    public static string? DbtType(string jsonType) => jsonType switch
    {
        "string" => "dbt_utils.type_string()",
        "number" => "dbt_utils.type_float()",
        "integer" => "dbt_utils.type_bigint()",
        "boolean" => "boolean",
        _ => null,
    };

    /// <summary>The model, line for line in the style the tutorial prints for covid_epidemiology.</summary>
    public static string Model(string schema, string stream, IReadOnlyList<(string Field, string Type)> fields)
    {
        var columns = fields.Where(f => DbtType(f.Type) is not null).ToList();
        var sb = new StringBuilder();
        sb.Append("with \n");
        sb.Append($"{stream}_node as (\n");
        sb.Append("  select \n");
        sb.Append("    emitted_at,\n");
        sb.Append("    {{ dbt_utils.current_timestamp_in_utc()  }} as normalized_at,\n");
        for (var i = 0; i < columns.Count; i++)
        {
            var (field, type) = columns[i];
            var dbtType = DbtType(type)!;
            var cast = dbtType.Contains('(') ? $"{{{{ {dbtType}  }}}}" : dbtType;
            sb.Append($"    cast({{{{ json_extract_scalar('data', ['{field}'])  }}}} as {cast}) as {field}{(i < columns.Count - 1 ? "," : "")}\n");
        }
        sb.Append($"  from {{{{ source('{schema}', '{stream}_raw')  }}}}\n");
        sb.Append("),\n");
        sb.Append($"{stream}_with_id as (\n");
        sb.Append("  select\n");
        sb.Append("    *,\n");
        sb.Append("    {{ dbt_utils.surrogate_key([\n");
        for (var i = 0; i < columns.Count; i++)
            sb.Append($"        '{columns[i].Field}'{(i < columns.Count - 1 ? "," : "")}\n");
        sb.Append($"    ])  }}}} as _{stream}_hashid\n");
        sb.Append($"    from {stream}_node\n");
        sb.Append(")\n");
        sb.Append($"select * from {stream}_with_id\n");
        return sb.ToString();
    }

    public static string Profiles(StandInPostgresSettings s) =>
        $"""
        config:
          partial_parse: true
          printer_width: 120
          send_anonymous_usage_stats: false
          use_colors: true
        normalize:
          outputs:
            prod:
              dbname: {YamlScalar.Of(s.Database)}
              host: {YamlScalar.Of(s.Host)}
              pass: {YamlScalar.Of(s.Password ?? "")}
              port: {YamlScalar.Of(s.Port)}
              schema: {YamlScalar.Of(s.Schema)}
              threads: 32
              type: postgres
              user: {YamlScalar.Of(s.Username)}
          target: prod

        """;

    public static string Sources(string schema, IEnumerable<string> streams)
    {
        var sb = new StringBuilder();
        sb.Append("version: 2\nsources:\n");
        sb.Append($"- name: {YamlScalar.Of(schema)}\n  tables:\n");
        foreach (var stream in streams) sb.Append($"  - name: {YamlScalar.Of(stream + "_raw")}\n");
        return sb.ToString();
    }

    public const string Packages =
        """
        # add dependencies. these will get pulled during the `dbt deps` process.

        packages:
          - git: "https://github.com/fishtown-analytics/dbt-utils.git"
            revision: 0.6.2

        """;

    public const string DbtProject =
        """
        # This file is necessary to install dbt-utils with dbt deps
        # the content will be overwritten by the transform function

        # Name your package! Package names should contain only lowercase characters
        # and underscores. A good package name should reflect your organization's
        # name or the intended use of these models
        name: 'airbyte_utils'
        version: '1.0'
        config-version: 2

        # This setting configures which "profile" dbt uses for this project. Profiles contain
        # database connection information, and should be configured in the  ~/.dbt/profiles.yml file
        profile: 'normalize'

        # These configurations specify where dbt should look for different types of files.
        # The `source-paths` config, for example, states that source models can be found
        # in the "models/" directory. You probably won't need to change these!
        source-paths: ["models"]
        docs-paths: ["docs"]
        analysis-paths: ["analysis"]
        test-paths: ["tests"]
        data-paths: ["data"]
        macro-paths: ["macros"]

        target-path: "../build"  # directory which will store compiled SQL files
        log-path: "../logs"  # directory which will store DBT logs
        modules-path: "../dbt_modules"  # directory which will store external DBT dependencies

        clean-targets:         # directories to be removed by `dbt clean`
            - "build"
            - "dbt_modules"

        # You can define configurations for models in the `source-paths` directory here.
        # Using these configurations, you can enable or disable models, change how they
        # are materialized, and more!
        models:
          airbyte_utils:
            +materialized: table

        """;

    public const string JsonMacros =
        """
        {#
            Adapter macros Airbyte's normalization shipped with its dbt project template:
            - Postgres: jsonb_extract_path_text(<from_json>, 'path' [, 'path' [, ...]])
        #}

        {# format_json_path --------------------------------------------------     #}
        {% macro format_json_path(json_path_list) -%}
            {{ adapter.dispatch('format_json_path')(json_path_list) }}
        {%- endmacro %}

        {% macro default__format_json_path(json_path_list) -%}
            {{ '.' ~ json_path_list|join('.') }}
        {%- endmacro %}

        {% macro postgres__format_json_path(json_path_list) -%}
            {{ "'" ~ json_path_list|join("','") ~ "'" }}
        {%- endmacro %}

        {# json_extract_scalar -------------------------------------------------     #}
        {% macro json_extract_scalar(json_column, json_path_list) -%}
            {{ adapter.dispatch('json_extract_scalar')(json_column, json_path_list) }}
        {%- endmacro %}

        {% macro default__json_extract_scalar(json_column, json_path_list) -%}
            json_extract_scalar({{ json_column }}, {{ format_json_path(json_path_list) }})
        {%- endmacro %}

        {% macro postgres__json_extract_scalar(json_column, json_path_list) -%}
            jsonb_extract_path_text({{ json_column }}, {{ format_json_path(json_path_list) }})
        {%- endmacro %}

        """;
}
