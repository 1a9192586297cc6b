using System.Text;

namespace AirbyteOps.Workspace.Tests;

/// <summary>
/// Normalization projects in the tutorial's format (dbt_project.yml, profiles.yml, packages.yml, models/generated/*.sql
/// and sources.yml) for a covid_epidemiology stream in schema quarantine.
/// </summary>
public static class TestProjects
{
    public const string Schema = "quarantine";
    public const string Stream = "covid_epidemiology";

    public const string DbtProjectYml = """
        name: 'airbyte_utils'
        version: '1.0'
        config-version: 2
        profile: 'normalize'
        source-paths: ["models"]
        macro-paths: ["macros"]
        target-path: "../build"
        log-path: "../logs"
        modules-path: "/tmp/dbt_modules"
        quoting:
          database: true
          schema: false
          identifier: true
        models:
          airbyte_utils:
            generated:
              +materialized: table
        vars:
          dbt_utils_dispatch_list: ['airbyte_utils']
        """;

    public const string PackagesYml = """
        packages:
          - git: "https://github.com/fishtown-analytics/dbt-utils.git"
            revision: 0.6.2
        """;

    public const string SourcesYml = """
        version: 2
        sources:
        - name: quarantine
          tables:
          - name: covid_epidemiology_raw
        """;

    /// <summary>The tutorial's generated model, with three of its columns.</summary>
    public const string ModelSql = """
        with
        covid_epidemiology_node as (
          select
            emitted_at,
            {{ dbt_utils.current_timestamp_in_utc()  }} as normalized_at,
            cast({{ json_extract_scalar('data', ['date'])  }} as {{ dbt_utils.type_string()  }}) as date,
            cast({{ json_extract_scalar('data', ['new_confirmed'])  }} as {{ dbt_utils.type_float()  }}) as new_confirmed,
            cast({{ json_extract_scalar('data', ['key'])  }} as {{ dbt_utils.type_string()  }}) as key
          from {{ source('quarantine', 'covid_epidemiology_raw')  }}
        ),
        covid_epidemiology_with_id as (
          select
            *,
            {{ dbt_utils.surrogate_key([
                'date',
                'new_confirmed',
                'key'
            ])  }} as _covid_epidemiology_hashid
            from covid_epidemiology_node
        )
        select * from covid_epidemiology_with_id
        """;

    public static string ProfilesYml(string host, int port, string password, string user = "postgres", string database = "postgres") => $"""
        config:
          partial_parse: true
          printer_width: 120
          send_anonymous_usage_stats: false
          use_colors: true
        normalize:
          outputs:
            prod:
              dbname: {database}
              host: {host}
              pass: "{password}"
              port: {port}
              schema: {Schema}
              threads: 32
              type: postgres
              user: {user}
          target: prod
        """;

    /// <summary>Adds a complete project under <paramref name="folder"/> (e.g. "12/1/normalize") to a tar.</summary>
    public static TarBuilder AddProject(this TarBuilder tar, string folder, string profilesYml, string? modelSql = null, string model = Stream)
    {
        tar.Directory(folder)
            .File($"{folder}/dbt_project.yml", DbtProjectYml)
            .File($"{folder}/profiles.yml", profilesYml, (UnixFileMode)0b110_000_000)
            .File($"{folder}/packages.yml", PackagesYml)
            .File($"{folder}/models/generated/sources.yml", SourcesYml)
            .File($"{folder}/models/generated/{model}.sql", modelSql ?? ModelSql);
        return tar;
    }

    public static void WriteProject(string directory, string profilesYml, string? modelSql = null)
    {
        Directory.CreateDirectory(Path.Combine(directory, "models", "generated"));
        File.WriteAllText(Path.Combine(directory, "dbt_project.yml"), DbtProjectYml, Encoding.UTF8);
        File.WriteAllText(Path.Combine(directory, "profiles.yml"), profilesYml, Encoding.UTF8);
        File.WriteAllText(Path.Combine(directory, "packages.yml"), PackagesYml, Encoding.UTF8);
        File.WriteAllText(Path.Combine(directory, "models", "generated", "sources.yml"), SourcesYml, Encoding.UTF8);
        File.WriteAllText(Path.Combine(directory, "models", "generated", $"{Stream}.sql"), modelSql ?? ModelSql, Encoding.UTF8);
    }
}
