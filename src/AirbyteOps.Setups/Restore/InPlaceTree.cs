using System.Globalization;
using System.Text;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Restore;

/// <summary>
/// Reads a tree of the data volume where the data is: <c>find</c>, <c>stat</c>, <c>sha256sum</c> and <c>readlink</c> run by
/// <c>docker exec</c> in the running server, which mounts the volume (else in a one-off helper container on the volume),
/// and only names, modes, owners, sizes, checksums and
/// link targets cross the engine (about 200 bytes a file), not the files' bytes as a tar of the whole tree would. What is
/// checksummed is what is on the volume. Null whenever it cannot give the whole tree exactly (no running server mounting
/// the volume, a tool missing, an error, a name the line format cannot carry, a line it does not read): the caller then
/// reads the tree through the archive endpoint as before. Never a partial or guessed listing.
/// </summary>
internal static class InPlaceTree
{
    // A constant script; the folder, the end-of-section marker and the name to leave out travel as arguments. Every path is
    // printed as "./..." (never taken for an option). Exit 97: a tool is missing.
    internal const string Script =
        "for t in find stat sha256sum readlink; do command -v \"$t\" >/dev/null 2>&1 || exit 97; done; " +
        "cd \"$1\" || exit 2; " +
        "find . -mindepth 1 \\( -path \"./$3\" -prune \\) -o -exec stat -c '%f %u %g %s %n' {} + || exit 3; echo \"$2\"; " +
        "find . -mindepth 1 \\( -path \"./$3\" -prune \\) -o -type f -exec sha256sum {} + || exit 4; echo \"$2\"; " +
        "find . -mindepth 1 \\( -path \"./$3\" -prune \\) -o -type l -exec sh -c 'for l; do echo \"$l\"; readlink \"$l\" || exit 5; done' sh {} + || exit 5";

    /// <summary>
    /// The tree under <paramref name="relative"/> of the volume (relative to its root; "" for the root, which leaves out the
    /// restore's work area as <see cref="LiveTree"/> does), read in the running server; null when that is not possible.
    /// <paramref name="expected"/> decides only whether the line format can carry its names (no newline, carriage return
    /// or backslash in a name or link target).
    /// </summary>
    public static async Task<IReadOnlyList<TreeEntry>?> ReadAsync(DockerEngine engine, Deployment deployment, string relative,
        IReadOnlyList<TreeEntry> expected, string helperImage, TimeSpan timeout, CancellationToken ct)
    {
        if (deployment.Volume is null) return null;
        if (expected.Any(e => Unprintable(e.Path) || (e.LinkTarget is { } t && Unprintable(t)))) return null;
        var exclude = relative.Length == 0 ? LiveTree.WorkDirectory : "/"; // "./" matches no path
        var marker = $"--airbyteops-tree-end-{Guid.NewGuid():N}--";
        string Under(string mountPoint) => relative.Length == 0 ? mountPoint : $"{mountPoint.TrimEnd('/')}/{relative.TrimStart('/')}";

        var mount = deployment.Server?.Mounts.FirstOrDefault(m => m.Type == "volume" && m.Name == deployment.Volume);
        if (mount is not null)
        {
            using var stdout = new MemoryStream();
            try
            {
                if (await engine.Containers.FindAsync(deployment.Server!.Name, ct).ConfigureAwait(false) is not { IsRunning: true }) throw new DockerOpsException("not running");
                var result = await engine.ExecAsync(deployment.Server.Name, ["sh", "-c", Script, "sh", Under(mount.Destination), marker, exclude], stdout: stdout, ct: ct).ConfigureAwait(false);
                if (result.Succeeded) return Parse(Encoding.UTF8.GetString(stdout.GetBuffer(), 0, (int)stdout.Length), marker);
            }
            catch (DockerOpsException)
            {
                // stopped meanwhile, or the engine refused the exec: a helper container reads it
            }
        }

        // The server is stopped (a database restore stops the writers) or cannot run the script: a one-off container of the
        // helper image (busybox has the four tools) on the volume, read-only, no network.
        var output = new StringBuilder();
        var spec = new ContainerSpec($"airbyteops-tree-{Guid.NewGuid():N}"[..40], helperImage)
        {
            Entrypoint = ["sh", "-c", Script, "sh"],
            Command = [Under(MountedVolume.MountPath), marker, exclude],
            Mounts = [new VolumeMount(deployment.Volume, MountedVolume.MountPath, ReadOnly: true)],
            Labels = new Dictionary<string, string> { [Labels.Role] = "volume-access" },
            NetworkMode = "none",
        };
        try
        {
            var exit = await engine.RunAsync(spec, line => output.Append(line).Append('\n'), timeout, ct).ConfigureAwait(false);
            return exit == 0 ? Parse(output.ToString(), marker) : null;
        }
        catch (DockerOpsException)
        {
            return null;
        }
    }

    private static bool Unprintable(string name) => name.Any(c => c is '\n' or '\r' or '\\');

    /// <summary>The script's output as tree entries, or null when any line is not what the script prints.</summary>
    internal static IReadOnlyList<TreeEntry>? Parse(string output, string marker)
    {
        var lines = output.Split('\n');
        var section = 0;
        var entries = new Dictionary<string, TreeEntry>(StringComparer.Ordinal);
        var order = new List<string>();
        string? linkName = null;
        foreach (var line in lines.Take(lines.Length - (output.EndsWith('\n') ? 1 : 0)))
        {
            if (line == marker)
            {
                section++;
                continue;
            }
            switch (section)
            {
                case 0:
                    if (ParseStat(line) is not { } entry || !entries.TryAdd(entry.Path, entry)) return null;
                    order.Add(entry.Path);
                    break;
                case 1:
                    // "<64 hex>  ./path" (GNU and busybox alike; GNU escapes a name with a backslash or newline, which are never here)
                    if (line.Length < 68 || line[64] != ' ' || line[65] != ' ' || !line[..64].All(char.IsAsciiHexDigit)) return null;
                    if (Relative(line[66..]) is not { } file || !entries.TryGetValue(file, out var known) || known.Kind != EntryKind.File || known.Sha256 is not null) return null;
                    entries[file] = known with { Sha256 = line[..64].ToLowerInvariant() };
                    break;
                case 2:
                    if (linkName is null)
                    {
                        if (Relative(line) is not { } link || !entries.TryGetValue(link, out var l) || l.Kind != EntryKind.SymbolicLink || l.LinkTarget is not null) return null;
                        linkName = link;
                    }
                    else
                    {
                        entries[linkName] = entries[linkName] with { LinkTarget = line };
                        linkName = null;
                    }
                    break;
                default:
                    return null;
            }
        }
        if (section != 2 || linkName is not null) return null;
        var tree = order.Select(p => entries[p]).ToList();
        // Every file checksummed, every link read: else something changed between the passes, or a line was lost.
        if (tree.Any(e => (e.Kind == EntryKind.File && e.Sha256 is null) || (e.Kind == EntryKind.SymbolicLink && e.LinkTarget is null))) return null;
        return tree;
    }

    /// <summary>"81a4 0 0 5 ./config/x.json" (stat's raw mode in hex, uid, gid, size, name).</summary>
    private static TreeEntry? ParseStat(string line)
    {
        var parts = line.Split(' ', 5);
        if (parts.Length != 5
            || !int.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var raw)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || Relative(parts[4]) is not { } path)
            return null;
        EntryKind? kind = (raw & 0xF000) switch
        {
            0x8000 => EntryKind.File,
            0x4000 => EntryKind.Directory,
            0xA000 => EntryKind.SymbolicLink,
            _ => null, // a device, fifo or socket: the archive endpoint's reader decides what to say of it
        };
        if (kind is null) return null;
        // As the engine's tar reports them: only files have a size.
        return new TreeEntry(path, kind.Value, (UnixFileMode)(raw & 0xFFF), uid, gid, kind == EntryKind.File ? size : 0, null, null);
    }

    private static string? Relative(string printed) =>
        printed.StartsWith("./", StringComparison.Ordinal) && printed.Length > 2 ? printed[2..] : null;
}
