using System.Text.Json;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Manifest;

/// <summary>
/// setup.json: what a setup holds and where it came from. Entries describe the files as stored in the setup
/// (with placeholders where secrets were taken out); <see cref="Secrets"/> lists those placeholders.
/// </summary>
public sealed record SetupManifest
{
    public const string FileName = "setup.json";
    public const string TreeFolder = "data";
    public const string FormatName = "airbyteops-setup";
    /// <summary>1: configuration only; 2: a "database" part too (written only when there is one, so older readers refuse it rather than restore half).</summary>
    /// <summary>3: a database-era setup (<see cref="Era"/> "database"): the database only, no data/ tree.</summary>
    public const int CurrentFormatVersion = 3;
    public const int DatabaseEraFormatVersion = 3;
    public const string EraDatabase = "database";
    public const string ContentConfiguration = "configuration";
    public const string ContentDatabase = "database";
    public const string ContentLogs = "logs";

    public string Format { get; init; } = FormatName;
    public int FormatVersion { get; init; } = 1;
    public string? AirbyteVersion { get; init; }
    public required SetupSource Source { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required SecretsMode SecretsMode { get; init; }
    public required IReadOnlyList<ManifestEntry> Entries { get; init; }
    public IReadOnlyList<SecretReference> Secrets { get; init; } = [];
    /// <summary>What the setup holds: "configuration", and "database" when it carries the jobs database (format 2).</summary>
    public IReadOnlyList<string>? Contents { get; init; }
    /// <summary>The jobs database (sync state, job history), or null: a configuration-only setup.</summary>
    public DatabaseManifest? Database { get; init; }
    /// <summary>Null: configuration files (Airbyte up to 0.27.3, data/ plus the jobs database); "database": Airbyte 0.30 – 0.63, everything in the database (format 3).</summary>
    public string? Era { get; init; }
    public bool IsDatabaseEra => Era == EraDatabase;
    /// <summary>The job logs of the database's attempts (ExportSetup --include logs), or null.</summary>
    public LogsManifest? Logs { get; init; }

    public IReadOnlyList<TreeEntry> TreeEntries() => Entries.Select(e => e.ToTreeEntry()).ToList();

    /// <summary>Same tree, same secret placeholders and mode: what "already saved" means (time and source aside).</summary>
    public bool SameContentAs(SetupManifest other) =>
        SecretsMode == other.SecretsMode &&
        TreeDiff.Compare(other.TreeEntries(), TreeEntries()).IsEmpty &&
        Database?.Content == other.Database?.Content &&
        (Logs is null ? other.Logs is null : Logs.SameAs(other.Logs)) &&
        Secrets.Select(s => s.Placeholder).Order(StringComparer.Ordinal).SequenceEqual(other.Secrets.Select(s => s.Placeholder).Order(StringComparer.Ordinal));

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, SetupJson.Options);

    public static SetupManifest Parse(ReadOnlySpan<byte> json, string where)
    {
        SetupManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<SetupManifest>(json, SetupJson.Options);
        }
        catch (JsonException ex)
        {
            throw new SetupException($"The manifest of {where} is not valid ({ex.Message.Split('\n')[0]}); the setup is damaged.", ex);
        }
        if (manifest is null || manifest.Format != FormatName)
            throw new SetupException($"The manifest of {where} is not an AirbyteOps setup manifest.");
        if (manifest.FormatVersion > CurrentFormatVersion)
            throw new SetupException($"{where} has manifest format {manifest.FormatVersion}; this version of AirbyteOps reads up to {CurrentFormatVersion}. Update AirbyteOps.");
        foreach (var entry in manifest.Entries)
        {
            if (!TreeEntry.TryParseMode(entry.Mode, out _))
                throw new SetupException($"The manifest of {where} gives entry '{entry.Path}' the mode '{entry.Mode}', which is not octal permission bits; the setup is damaged.");
        }
        return manifest;
    }
}
