using System.Formats.Tar;
using System.Text;

namespace AirbyteOps.Setups.Tests;

/// <summary>A small CONFIG_ROOT like Airbyte 0.7's, with secrets at several depths, odd modes, an owner, a link and an empty file.</summary>
public static class SampleTree
{
    public const string SourceId = "5a8b2c1e-0000-4000-8000-000000000001";
    public const string DestinationId = "5a8b2c1e-0000-4000-8000-000000000002";
    public const string DestinationDefinitionId = "25c5221d-dce2-4163-ade9-739ef790f503";

    /// <summary>Every secret value as it appears in the files (raw JSON), none of which may leave in a setup.</summary>
    public static readonly string[] SecretValues =
    [
        "sk-ApiKey-7731",
        @"p\u00e4ss\""w0rd\\x",
        "s3cret-Destination-Pw",
        @"-----BEGIN KEY-----\nAAAAzz\n-----END-----",
        "spec-marked-value-991",
        "tok-Refresh-4242",
    ];

    public static readonly string SourceJson =
        "{\"sourceDefinitionId\":\"778daa7c-feaf-4db6-96f3-70fd645acc77\",\"sourceId\":\"" + SourceId + "\",\"name\":\"exchange\",\n" +
        "  \"configuration\" : {\"base\":\"USD\",\"api_key\":\"sk-ApiKey-7731\",\"nested\":{\"deep\":[{\"password\":\"p\\u00e4ss\\\"w0rd\\\\x\"},{\"keep\":\"visible-value\"}]}},\n" +
        "  \"tombstone\":false}\n";

    public static readonly string DestinationJson =
        "{\"destinationDefinitionId\":\"" + DestinationDefinitionId + "\",\"destinationId\":\"" + DestinationId + "\",\"name\":\"local-postgres\"," +
        "\"configuration\":{\"host\":\"localhost\",\"port\":3000,\"username\":\"postgres\",\"password\":\"s3cret-Destination-Pw\"," +
        "\"credentials\":{\"auth_type\":\"Key\",\"private_key\":\"-----BEGIN KEY-----\\nAAAAzz\\n-----END-----\",\"refresh\":\"tok-Refresh-4242\"}," +
        "\"custom_field\":\"spec-marked-value-991\",\"schema\":\"public\"}}";

    public static readonly string DestinationDefinitionJson =
        "{\"destinationDefinitionId\":\"" + DestinationDefinitionId + "\",\"name\":\"Postgres\",\"dockerRepository\":\"airbyte/destination-postgres\"," +
        "\"spec\":{\"connectionSpecification\":{\"properties\":{\"custom_field\":{\"type\":\"string\",\"airbyte_secret\":true},\"schema\":{\"type\":\"string\"}}}}}";

    public sealed record Item(string Path, TarEntryType Type, UnixFileMode Mode, int Uid = 0, string? Content = null, string? Target = null);

    public static IReadOnlyList<Item> Items(string workspaceName = "default") =>
    [
        new("config", TarEntryType.Directory, (UnixFileMode)0x1ED),
        new("config/STANDARD_WORKSPACE", TarEntryType.Directory, (UnixFileMode)0x1ED),
        new("config/STANDARD_WORKSPACE/5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6.json", TarEntryType.RegularFile, (UnixFileMode)0x1A4, 0,
            "{\"workspaceId\":\"5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6\",\"name\":\"" + workspaceName + "\",\"initialSetupComplete\":true}"),
        new("config/SOURCE_CONNECTION", TarEntryType.Directory, (UnixFileMode)0x1C0),
        new($"config/SOURCE_CONNECTION/{SourceId}.json", TarEntryType.RegularFile, (UnixFileMode)0x180, 1000, SourceJson),
        new("config/DESTINATION_CONNECTION", TarEntryType.Directory, (UnixFileMode)0x1ED),
        new($"config/DESTINATION_CONNECTION/{DestinationId}.json", TarEntryType.RegularFile, (UnixFileMode)0x1A4, 0, DestinationJson),
        new("config/STANDARD_DESTINATION_DEFINITION", TarEntryType.Directory, (UnixFileMode)0x1ED),
        new($"config/STANDARD_DESTINATION_DEFINITION/{DestinationDefinitionId}.json", TarEntryType.RegularFile, (UnixFileMode)0x1A4, 0, DestinationDefinitionJson),
        new("config/STANDARD_SYNC", TarEntryType.Directory, (UnixFileMode)0x1ED),
        new("config/STANDARD_SYNC/empty.json", TarEntryType.RegularFile, (UnixFileMode)0x1B4, 0, ""),
        new("config/workspace-link", TarEntryType.SymbolicLink, (UnixFileMode)0x1FF, 0, null, "STANDARD_WORKSPACE"),
    ];

    /// <summary>The tree as a tar whose names are relative to the volume root (as a copy into "/" of the volume expects).</summary>
    public static MemoryStream Tar(IReadOnlyList<Item> items, string prefix = "")
    {
        var memory = new MemoryStream();
        using (var writer = new TarWriter(memory, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var item in items)
            {
                var name = prefix + item.Path + (item.Type == TarEntryType.Directory ? "/" : "");
                var entry = new PaxTarEntry(item.Type, name) { Mode = item.Mode, Uid = item.Uid, Gid = item.Uid };
                if (item.Target is not null) entry.LinkName = item.Target;
                if (item.Type == TarEntryType.RegularFile) entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(item.Content ?? ""));
                writer.WriteEntry(entry);
            }
        }
        memory.Position = 0;
        return memory;
    }

    /// <summary>Writes the tree into a folder on this machine (modes kept), e.g. for GNU tar to archive.</summary>
    public static void WriteFolder(string root, IReadOnlyList<Item> items)
    {
        Directory.CreateDirectory(root);
        foreach (var item in items)
        {
            var full = Path.Combine(root, item.Path);
            switch (item.Type)
            {
                case TarEntryType.Directory: Directory.CreateDirectory(full); break;
                case TarEntryType.SymbolicLink: File.CreateSymbolicLink(full, item.Target!); break;
                default: File.WriteAllText(full, item.Content ?? ""); File.SetUnixFileMode(full, item.Mode); break;
            }
        }
        foreach (var item in items.Where(i => i.Type == TarEntryType.Directory).Reverse())
            File.SetUnixFileMode(Path.Combine(root, item.Path), item.Mode);
    }

    /// <summary>Puts the sample tree (or another) into the deployment's volume.</summary>
    public static async Task SeedAsync(this TestDeployment deployment, IReadOnlyList<Item>? items = null)
    {
        using var tar = Tar(items ?? Items());
        await deployment.CopyInAsync(tar);
    }
}
