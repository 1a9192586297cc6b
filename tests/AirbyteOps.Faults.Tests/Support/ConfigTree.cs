using System.Formats.Tar;
using System.Text;
using AirbyteOps.Docker;

namespace AirbyteOps.Faults.Tests.Support;

/// <summary>A small CONFIG_ROOT like Airbyte 0.7's: a workspace, a source and a destination with secrets, a link.</summary>
public static class ConfigTree
{
    public const string SourcePassword = "faults-Source-Pw-1731";
    public const string DestinationPassword = "faults-Destination-Pw-2242";

    public sealed record Item(string Path, TarEntryType Type, UnixFileMode Mode, string? Content = null, string? Target = null);

    /// <summary>The tree; <paramref name="label"/> goes into the workspace name so two versions differ in one file.</summary>
    public static IReadOnlyList<Item> Items(string label) =>
    [
        new("config", TarEntryType.Directory, (UnixFileMode)0x1ED),
        new("config/STANDARD_WORKSPACE", TarEntryType.Directory, (UnixFileMode)0x1ED),
        new("config/STANDARD_WORKSPACE/5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6.json", TarEntryType.RegularFile, (UnixFileMode)0x1A4,
            "{\"workspaceId\":\"5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6\",\"name\":\"" + label + "\",\"initialSetupComplete\":true}"),
        new("config/SOURCE_CONNECTION", TarEntryType.Directory, (UnixFileMode)0x1C0),
        new("config/SOURCE_CONNECTION/0d7f0000-0000-4000-8000-000000000001.json", TarEntryType.RegularFile, (UnixFileMode)0x180,
            "{\"sourceId\":\"0d7f0000-0000-4000-8000-000000000001\",\"name\":\"exchange\",\"configuration\":{\"base\":\"USD\",\"password\":\"" + SourcePassword + "\"}}"),
        new("config/DESTINATION_CONNECTION", TarEntryType.Directory, (UnixFileMode)0x1ED),
        new("config/DESTINATION_CONNECTION/0d7f0000-0000-4000-8000-000000000002.json", TarEntryType.RegularFile, (UnixFileMode)0x1A4,
            "{\"destinationId\":\"0d7f0000-0000-4000-8000-000000000002\",\"name\":\"pg\",\"configuration\":{\"host\":\"localhost\",\"password\":\"" + DestinationPassword + "\"}}"),
        new("config/STANDARD_SYNC", TarEntryType.Directory, (UnixFileMode)0x1ED),
        new("config/STANDARD_SYNC/" + label + ".json", TarEntryType.RegularFile, (UnixFileMode)0x1B4, "{\"label\":\"" + label + "\"}"),
        new("config/workspace-link", TarEntryType.SymbolicLink, (UnixFileMode)0x1FF, null, "STANDARD_WORKSPACE"),
    ];

    /// <summary>The items as a tar whose names start with <paramref name="prefix"/> ("" for a copy into a volume's root).</summary>
    public static MemoryStream Tar(IEnumerable<Item> items, string prefix = "", IEnumerable<TarEntry>? extra = null)
    {
        var memory = new MemoryStream();
        using (var writer = new TarWriter(memory, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var item in items)
            {
                var entry = new PaxTarEntry(item.Type, prefix + item.Path + (item.Type == TarEntryType.Directory ? "/" : "")) { Mode = item.Mode };
                if (item.Target is not null) entry.LinkName = item.Target;
                if (item.Type == TarEntryType.RegularFile) entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(item.Content ?? ""));
                writer.WriteEntry(entry);
            }
            foreach (var entry in extra ?? []) writer.WriteEntry(entry);
        }
        memory.Position = 0;
        return memory;
    }

    /// <summary>A throw-away deployment whose volume holds the tree labelled <paramref name="label"/>.</summary>
    public static async Task<TestDeployment> DeployAsync(DockerEngine engine, bool running, string label = "live")
    {
        var deployment = await TestDeployment.CreateAsync(engine, running);
        await deployment.SeedAsync(label);
        return deployment;
    }

    /// <summary>Replaces config/ in the deployment's volume with the tree labelled <paramref name="label"/>.</summary>
    public static async Task SeedAsync(this TestDeployment deployment, string label)
    {
        await deployment.DeleteAsync("config");
        using var tar = Tar(Items(label));
        await deployment.CopyInAsync(tar);
    }

    /// <summary>The label of the tree that is live in the volume (the name of its one STANDARD_SYNC file).</summary>
    public static async Task<string> WorkspaceLabelAsync(this TestDeployment deployment)
    {
        var sync = (await deployment.ListAsync(includeWorkArea: false)).Select(e => e.Path)
            .Where(p => p.StartsWith("config/STANDARD_SYNC/", StringComparison.Ordinal) && p.EndsWith(".json", StringComparison.Ordinal)).ToList();
        return sync.Count == 1 ? Path.GetFileNameWithoutExtension(sync[0]) : $"({sync.Count} labels)";
    }
}
