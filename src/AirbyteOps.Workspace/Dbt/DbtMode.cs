namespace AirbyteOps.Workspace.Dbt;

/// <summary>Where dbt runs: in the normalization image on the workspace volume (as the tutorial does), or a local dbt on the extracted copy.</summary>
public enum DbtMode
{
    Container,
    Local,
}
