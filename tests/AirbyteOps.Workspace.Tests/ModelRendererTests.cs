using AirbyteOps.StandIns.Dbt;

namespace AirbyteOps.Workspace.Tests;

/// <summary>The stand-in dbt's rendering of the tutorial's macros into Postgres SQL.</summary>
public sealed class ModelRendererTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private (ModelRenderer Renderer, ModelFile Model) Given(string? sql = null)
    {
        TestProjects.WriteProject(_dir.Path, TestProjects.ProfilesYml("localhost", 3000, "pw"), sql);
        var project = DbtProject.Load(_dir.Path);
        var target = ProfileTarget.Load(_dir.Path, project.Profile, null);
        var models = ModelFile.Discover(project);
        return (new ModelRenderer(project, target, SourceCatalog.Load(project), models.Select(m => m.Name).ToList()), models.Single());
    }

    [Fact]
    public void Renders_the_tutorial_model_into_postgres_sql()
    {
        var (renderer, model) = Given();

        var rendered = renderer.Render(model);

        Assert.Equal("table", rendered.Materialized);
        Assert.Equal("quarantine", rendered.Schema);
        Assert.Contains("cast(jsonb_extract_path_text(data, 'date') as varchar) as date", rendered.Sql, StringComparison.Ordinal);
        Assert.Contains("cast(jsonb_extract_path_text(data, 'new_confirmed') as float) as new_confirmed", rendered.Sql, StringComparison.Ordinal);
        Assert.Contains("(current_timestamp at time zone 'utc')::timestamp as normalized_at", rendered.Sql, StringComparison.Ordinal);
        Assert.Contains("from \"postgres\".quarantine.\"covid_epidemiology_raw\"", rendered.Sql, StringComparison.Ordinal);
        Assert.Contains(
            "md5(cast(concat(coalesce(cast(date as varchar), ''), '-', coalesce(cast(new_confirmed as varchar), ''), '-', coalesce(cast(key as varchar), '')) as varchar)) as _covid_epidemiology_hashid",
            rendered.Sql, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", rendered.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_paths_with_several_keys_and_quotes_are_escaped() =>
        Assert.Equal("'a', 'it''s'", ModelRenderer.JsonPath(["a", "it's"]));

    [Theory]
    [InlineData("select {{ dbt_utils.star('x') }} from t", "'dbt_utils.star' is undefined")]
    [InlineData("select 1 from {{ source('nope', 'x_raw') }}", "source named 'nope.x_raw' which was not found")]
    [InlineData("{% if true %}select 1{% endif %}", "not supported")]
    [InlineData("select {{ json_extract_scalar('data', ['a'] }}", "expected ',' or ')'")]
    public void Unknown_macros_and_unsupported_jinja_fail_the_model(string sql, string message)
    {
        var (renderer, model) = Given(sql);

        var error = Assert.Throws<CompilationException>(() => renderer.Render(model));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_call_in_the_model_overrides_the_project()
    {
        var (renderer, model) = Given("{{ config(materialized='view', schema='extra') }}select 1 as x");

        var rendered = renderer.Render(model);

        Assert.Equal("view", rendered.Materialized);
        Assert.Equal("quarantine_extra", rendered.Schema);
        Assert.Equal("select 1 as x", rendered.Sql);
    }

    public void Dispose() => _dir.Dispose();
}
