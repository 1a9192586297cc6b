namespace AirbyteOps.Setups;

/// <summary>What a user sets for ExportSetup. Defaults match Airbyte 0.7's docker-compose deployment.</summary>
public sealed record ExportOptions
{
    /// <summary>A setup name (saved as &lt;artifacts&gt;/setups/&lt;name&gt;) or a path to a folder or a .tar.gz.</summary>
    public required string Setup { get; init; }
    public string ArtifactsDirectory { get; init; } = "artifacts";
    public string ServerContainer { get; init; } = "airbyte-server";
    public string DataVolume { get; init; } = "airbyte_data";
    public string ConfigRoot { get; init; } = "/data";
    public string HelperImage { get; init; } = "airbyteops/busybox:latest";
    public SecretsMode SecretsMode { get; init; } = SecretsMode.Sidecar;
    /// <summary>More key names whose values are secret (besides password, token, api_key, ... and airbyte_secret).</summary>
    public IReadOnlyList<string> ExtraSecretKeys { get; init; } = [];
    /// <summary>Also write &lt;setup&gt;.tar.gz next to the folder.</summary>
    public bool Archive { get; init; }
    /// <summary>Replace a saved setup of the same name whose content differs (otherwise refused).</summary>
    public bool Overwrite { get; init; }
    /// <summary>The Airbyte version to record; null reads it from the server (AIRBYTE_VERSION, else its image tag).</summary>
    public string? AirbyteVersion { get; init; }
}
