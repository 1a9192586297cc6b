namespace AirbyteOps.Build;

/// <summary>The targets' names: the Cake tasks are declared with these, and the Tutorial's steps name them too.</summary>
public static class TargetNames
{
    public const string Help = nameof(Help);
    public const string EnsureDocker = nameof(EnsureDocker);
    public const string Images = nameof(Images);
    public const string StartPostgres = nameof(StartPostgres);
    public const string ComposeUp = nameof(ComposeUp);
    public const string WipeVolumes = nameof(WipeVolumes);
    public const string CreateConnections = nameof(CreateConnections);
    public const string Sync = nameof(Sync);
    public const string LocalData = nameof(LocalData);
    public const string ExportSetup = nameof(ExportSetup);
    public const string RestoreSetup = nameof(RestoreSetup);
    public const string VerifySetup = nameof(VerifySetup);
    public const string Logs = nameof(Logs);
    public const string ExtractNormalization = nameof(ExtractNormalization);
    public const string DbtRun = nameof(DbtRun);
    public const string Tutorial = nameof(Tutorial);
    public const string Test = nameof(Test);
}
