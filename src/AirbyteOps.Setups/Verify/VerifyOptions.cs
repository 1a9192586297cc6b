namespace AirbyteOps.Setups.Verify;

/// <summary>What the VerifySetup target was given; the build's parameters hold the defaults.</summary>
public sealed record VerifyOptions
{
    /// <summary>--setup: a name (under &lt;artifacts&gt;/setups/), or a path to a setup folder or archive.</summary>
    public required string Setup { get; init; }
    /// <summary>--artifacts: where setups/ live.</summary>
    public required string ArtifactsDirectory { get; init; }
    /// <summary>--secrets-file; null (not given): &lt;setup&gt;.secrets.json next to the setup.</summary>
    public string? SecretsFile { get; init; }
    /// <summary>--airbyte-version: the version whose config-type schemas the tree is checked against; null: the setup's recorded version.</summary>
    public string? AirbyteVersion { get; init; }
    /// <summary>--skip-config-check: do not check the config files against Airbyte's schemas (RestoreSetup would then need it too).</summary>
    public bool SkipConfigCheck { get; init; }
    /// <summary>
    /// The files and bytes the checksum pass's progress line counts toward, when the caller knows them (ExportSetup: the
    /// manifest it just wrote); null: read from the setup folder's manifest for the progress line alone. Nothing is checked
    /// against them: the setup's own manifest is what the setup is verified against.
    /// </summary>
    public (long Files, long Bytes)? ProgressTotals { get; init; }
    /// <summary>
    /// The checksum pass over the setup folder's tree files, already done by the caller on these files as they are on the
    /// disk (ExportSetup: read back from the folder it wrote, once each was closed, beside the database's dump, before the
    /// folder was renamed into place); names relative to the folder, as <see cref="SetupContent.HashFolderAsync"/> gives them.
    /// The verify still walks the folder and compares every entry with the manifest; a file it finds that this does not hold
    /// is read and hashed then. Used once (the verify takes entries out of it). Null: the verify hashes every file itself.
    /// </summary>
    internal Dictionary<string, FileHash>? Prehashed { get; init; }
}
