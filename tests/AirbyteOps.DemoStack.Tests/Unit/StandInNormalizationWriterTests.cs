using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Worker;
using AirbyteOps.DemoStack.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace AirbyteOps.DemoStack.Tests.Unit;

/// <summary>The normalize/ dbt project the worker generates for a Postgres destination with basic normalization.</summary>
public sealed class StandInNormalizationWriterTests
{
    /// <summary>The covid_epidemiology model exactly as the tutorial prints it.</summary>
    private const string TutorialModel =
        """
        with 
        covid_epidemiology_node as (
          select 
            emitted_at,
            {{ dbt_utils.current_timestamp_in_utc()  }} as normalized_at,
            cast({{ json_extract_scalar('data', ['date'])  }} as {{ dbt_utils.type_string()  }}) as date,
            cast({{ json_extract_scalar('data', ['new_recovered'])  }} as {{ dbt_utils.type_float()  }}) as new_recovered,
            cast({{ json_extract_scalar('data', ['new_tested'])  }} as {{ dbt_utils.type_float()  }}) as new_tested,
            cast({{ json_extract_scalar('data', ['total_deceased'])  }} as {{ dbt_utils.type_float()  }}) as total_deceased,
            cast({{ json_extract_scalar('data', ['new_deceased'])  }} as {{ dbt_utils.type_float()  }}) as new_deceased,
            cast({{ json_extract_scalar('data', ['new_confirmed'])  }} as {{ dbt_utils.type_float()  }}) as new_confirmed,
            cast({{ json_extract_scalar('data', ['total_confirmed'])  }} as {{ dbt_utils.type_float()  }}) as total_confirmed,
            cast({{ json_extract_scalar('data', ['total_tested'])  }} as {{ dbt_utils.type_float()  }}) as total_tested,
            cast({{ json_extract_scalar('data', ['total_recovered'])  }} as {{ dbt_utils.type_float()  }}) as total_recovered,
            cast({{ json_extract_scalar('data', ['key'])  }} as {{ dbt_utils.type_string()  }}) as key
          from {{ source('quarantine', 'covid_epidemiology_raw')  }}
        ),
        covid_epidemiology_with_id as (
          select
            *,
            {{ dbt_utils.surrogate_key([
                'date',
                'new_recovered',
                'new_tested',
                'total_deceased',
                'new_deceased',
                'new_confirmed',
                'total_confirmed',
                'total_tested',
                'total_recovered',
                'key'
            ])  }} as _covid_epidemiology_hashid
            from covid_epidemiology_node
        )
        select * from covid_epidemiology_with_id

        """;

    [Fact]
    public async Task The_covid_model_is_the_one_the_tutorial_prints_and_the_project_files_are_all_there()
    {
        using var dir = new TempDirectory();
        var catalog = CatalogDocuments.ToConfiguredCatalog(CatalogDocuments.ApiToConfigSchema(CatalogDocuments.ToSourceSchema([StandInDatasets.Covid("covid_epidemiology")])));

        await StandInNormalizationWriter.WriteAsync(dir.Path, ApiClient.PostgresConfig(3000, "password"), catalog);

        Assert.Equal(TutorialModel.ReplaceLineEndings("\n"), await File.ReadAllTextAsync(Path.Combine(dir.Path, "models", "generated", "covid_epidemiology.sql")));
        foreach (var file in new[] { "dbt_project.yml", "profiles.yml", "packages.yml", "models/generated/sources.yml", "macros/json_operations.sql", "destination_config.json", "destination_catalog.json" })
            Assert.True(File.Exists(Path.Combine(dir.Path, file)), $"normalize/{file} missing");
        Assert.Contains("revision: 0.6.2", await File.ReadAllTextAsync(Path.Combine(dir.Path, "packages.yml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Profiles_yml_points_at_the_destination_with_its_password_in_plaintext_and_stays_valid_yaml_for_odd_passwords()
    {
        using var dir = new TempDirectory();
        var catalog = CatalogDocuments.ToConfiguredCatalog(CatalogDocuments.ApiToConfigSchema(CatalogDocuments.ToSourceSchema([StandInDatasets.Covid("covid_epidemiology")])));
        const string password = "p@ss: #\"word'";

        await StandInNormalizationWriter.WriteAsync(dir.Path, ApiClient.PostgresConfig(3000, password), catalog);

        var yaml = new YamlStream();
        yaml.Load(new StringReader(await File.ReadAllTextAsync(Path.Combine(dir.Path, "profiles.yml"))));
        var prod = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["normalize"])["outputs"])["prod"];
        Assert.Equal(password, ((YamlScalarNode)prod["pass"]).Value);
        Assert.Equal("localhost", ((YamlScalarNode)prod["host"]).Value);
        Assert.Equal("3000", ((YamlScalarNode)prod["port"]).Value);
        Assert.Equal("quarantine", ((YamlScalarNode)prod["schema"]).Value);
        Assert.Equal("postgres", ((YamlScalarNode)prod["dbname"]).Value);
        Assert.Equal("postgres", ((YamlScalarNode)prod["user"]).Value);
    }
}
