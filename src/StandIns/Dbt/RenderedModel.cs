namespace AirbyteOps.StandIns.Dbt;

/// <summary>A model rendered to Postgres SQL, with the models it refs and its effective config.</summary>
public sealed record RenderedModel(ModelFile File, string Sql, IReadOnlyList<string> Refs, string Materialized, string Schema);
