namespace AirbyteOps.Setups.Database;

/// <summary>
/// What a setup must contain depends on the Airbyte version: up to 0.27.3 the configuration is files under CONFIG_ROOT
/// and the database holds jobs and sync state; from 0.27.4 on the configuration lives in the database too, so a copy of
/// /data would be a stale or empty "backup". Until database-era deployments are supported, ExportSetup refuses them.
/// </summary>
internal static class DatabaseEra
{
    public static void RefuseExport(Deployment deployment, string serverContainer)
    {
        var version = deployment.AirbyteVersion;
        if (!Manifest.AirbyteVersion.IsDatabaseEra(version)) return;
        throw new SetupException(
            $"Refusing to export: '{deployment.Server?.Name ?? serverContainer}' runs Airbyte {version}, which keeps its configuration in the database (from {Manifest.AirbyteVersion.DatabaseEraFrom} on), " +
            $"so a setup of {deployment.ConfigRoot} would be stale or empty; AirbyteOps supports Airbyte up to 0.27.3 for now: use Airbyte's own export (Settings > Configuration, or POST /api/v1/deployment/export) for this deployment.");
    }
}
