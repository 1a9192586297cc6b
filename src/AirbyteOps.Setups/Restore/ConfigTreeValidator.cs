using System.Text.Json;
using AirbyteOps.Setups.Schemas;

namespace AirbyteOps.Setups.Restore;

/// <summary>
/// Checks a setup's configuration files the way the target server will read them, before anything is written: every
/// entry of a config folder the release reads (<c>config/&lt;TYPE&gt;/</c>) must be an <c>&lt;id&gt;.json</c> file (a stray
/// file makes the real server's list of that type fail), JSON, and valid under that release's schema for the type, with
/// its secrets put back. The first problem refuses the restore in one line naming the file and the rule.
/// </summary>
internal static class ConfigTreeValidator
{
    private const long MaxConfigFileBytes = 64 << 20;

    /// <summary>
    /// Validates <paramref name="content"/> for a deployment running <paramref name="deploymentVersion"/> (else the
    /// setup's recorded version); says which schemas it used, or why it could not check.
    /// </summary>
    public static Task ValidateAsync(SetupContent content, string? deploymentVersion, bool skip, string setup, Action<string> log, CancellationToken ct) =>
        ValidateAsync(content.Expected, deploymentVersion ?? content.Manifest?.AirbyteVersion, skip, (paths, token) => ReadAsync(content, paths, token),
            (path, why) => Refuse(setup, path, why), " (remove it from the setup)", log, ct);

    /// <summary>
    /// Validates a tree (<paramref name="tree"/>'s entries, their bytes by <paramref name="read"/>, secrets put back) for a
    /// server running <paramref name="version"/>: the restore's check of a setup, the export's of a live tree and VerifySetup's.
    /// </summary>
    /// <param name="refuse">The one-line error of a problem: the entry's path and the rule it breaks.</param>
    /// <param name="removeHint">What to do about a stray entry, said after the rule (the restore: remove it from the setup).</param>
    internal static async Task ValidateAsync(IReadOnlyList<TreeEntry> tree, string? version, bool skip,
        Func<IReadOnlySet<string>, CancellationToken, Task<Dictionary<string, byte[]>>> read, Func<string, string, AirbyteOpsException> refuse,
        string removeHint, Action<string> log, CancellationToken ct)
    {
        if (skip)
        {
            log("--skip-config-check: the config files are not checked against Airbyte's schemas; a file the server cannot read will make it fail.");
            return;
        }
        var schemas = AirbyteConfigSchemas.For(version);
        if (schemas is null)
        {
            log(version is null
                ? "Config files not checked against Airbyte's schemas: neither the deployment nor the setup says its Airbyte version (pass --airbyte-version)."
                : $"Config files not checked against Airbyte's schemas: no schemas for Airbyte {version} (this AirbyteOps holds {string.Join(", ", AirbyteConfigSchemas.Releases)}).");
            return;
        }

        var entries = tree.ToDictionary(e => e.Path, StringComparer.Ordinal);
        var inTypeFolders = tree.Where(e => TypeOf(e.Path, schemas) is not null).ToList();
        // Each entry's bytes: a file's own, or what a link in a type folder leads to (hard links and symbolic links alike).
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in inTypeFolders)
            if (Resolve(entry, entries) is { Kind: EntryKind.File } file) wanted.Add(file.Path);
        var bytes = await read(wanted, ct).ConfigureAwait(false);

        var checkedFiles = 0;
        foreach (var entry in inTypeFolders.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            var type = TypeOf(entry.Path, schemas)!;
            var name = entry.Path.Split('/')[^1];
            if (!IsIdFile(name))
                throw refuse(entry.Path, $"is not an <id>.json file, and Airbyte {version} fails every read of {type} with a stray file in config/{type}/{removeHint}");
            var target = Resolve(entry, entries);
            if (target is not { Kind: EntryKind.File } || !bytes.TryGetValue(target.Path, out var json))
                throw refuse(entry.Path, $"is a {Describe(entry, target)}, not a config file; Airbyte {version} cannot read config/{type}/ with it{removeHint}");
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json);
            }
            catch (JsonException ex)
            {
                throw refuse(entry.Path, $"is not JSON ({ex.Message.Split('\n')[0].TrimEnd('.')})");
            }
            using (document)
            {
                if (schemas.FirstProblem(type, document.RootElement) is { } problem)
                    throw refuse(entry.Path, $"is invalid under Airbyte {schemas.Release}'s {problem.TrimEnd('.')}");
            }
            checkedFiles++;
        }
        log($"{checkedFiles} config file(s) valid under Airbyte {schemas.Release}'s schemas (the server runs {version}); nothing stray in config/<TYPE>/.");
    }

    private static SetupException Refuse(string setup, string path, string why) =>
        new($"Refusing setup '{setup}': {path} {why}. Nothing was written.");

    /// <summary>The config type of an entry directly inside config/&lt;TYPE&gt;/ for a type the release reads; null otherwise.</summary>
    private static string? TypeOf(string path, AirbyteConfigSchemas schemas)
    {
        var parts = path.Split('/');
        return parts.Length == 3 && parts[0] == "config" && schemas.Types.Contains(parts[1]) ? parts[1] : null;
    }

    /// <summary>"&lt;uuid&gt;.json": the only names the real persistence lists and reads back by id.</summary>
    private static bool IsIdFile(string name) =>
        name.EndsWith(".json", StringComparison.Ordinal) && Guid.TryParseExact(name[..^".json".Length], "D", out _);

    /// <summary>The entry a link leads to (through links, inside the tree: SafeTree has already held every link to that), or the entry itself.</summary>
    private static TreeEntry? Resolve(TreeEntry entry, IReadOnlyDictionary<string, TreeEntry> entries)
    {
        var current = entry;
        for (var hops = 0; hops < 40 && current is not null; hops++)
        {
            switch (current.Kind)
            {
                case EntryKind.HardLink:
                    current = entries.GetValueOrDefault(current.LinkTarget!);
                    break;
                case EntryKind.SymbolicLink:
                    var folder = Path.GetDirectoryName(current.Path)?.Replace('\\', '/') ?? "";
                    var target = Path.GetFullPath(Path.Combine("/", folder, current.LinkTarget!)).Replace('\\', '/').TrimStart('/');
                    current = entries.GetValueOrDefault(target);
                    break;
                default:
                    return current;
            }
        }
        return null;
    }

    private static string Describe(TreeEntry entry, TreeEntry? target) => entry.Kind switch
    {
        EntryKind.Directory => "folder",
        EntryKind.SymbolicLink when target is null => "symbolic link to nothing in the tree",
        EntryKind.SymbolicLink => $"symbolic link to a {target.Kind.ToString().ToLowerInvariant()}",
        _ => entry.Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The restored bytes of <paramref name="paths"/>: secrets put back where the setup holds placeholders.</summary>
    private static async Task<Dictionary<string, byte[]>> ReadAsync(SetupContent content, IReadOnlySet<string> paths, CancellationToken ct)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var path in paths)
            if (content.Replacements.TryGetValue(path, out var replaced)) result[path] = replaced;
        if (paths.All(result.ContainsKey)) return result;
        if (content.Reader is FolderTreeReader folder && HostFile.Supported) return ReadFromFolder(content, folder, paths, result);
        await content.Reader.ReadAsync(async (raw, stream) =>
        {
            if (stream is null || content.TreePath(raw.Name) is not { } path || !paths.Contains(path) || result.ContainsKey(path)) return;
            if (raw.Size > MaxConfigFileBytes)
                throw new SetupException($"{path} in the setup is {raw.Size / (1 << 20)} MiB, too large for an Airbyte config file; nothing was written.");
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory, ct).ConfigureAwait(false);
            result[path] = memory.ToArray();
        }, ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>At most <paramref name="limit"/> bytes of the stream: a file that grew since the checksum pass is not read whole to learn it.</summary>
    private static byte[] ReadAtMost(Stream stream, long limit)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while (memory.Length < limit && (read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, limit - memory.Length))) > 0)
            memory.Write(buffer, 0, read);
        return memory.ToArray();
    }

    /// <summary>
    /// The files of a setup folder opened by name (a symbolic link in the last component is never followed; the walk already
    /// said each is a file), instead of walking the whole folder once more for a few dozen config files. Each one's bytes must
    /// still have the checksum the setup's check found (or the manifest records): a file changed since is refused.
    /// </summary>
    private static Dictionary<string, byte[]> ReadFromFolder(SetupContent content, FolderTreeReader folder, IReadOnlySet<string> paths, Dictionary<string, byte[]> result)
    {
        var stored = content.Stored.Where(e => paths.Contains(e.Path)).ToDictionary(e => e.Path, StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (result.ContainsKey(path) || !stored.TryGetValue(path, out var entry) || entry.Kind != EntryKind.File) continue;
            if (entry.Size > MaxConfigFileBytes)
                throw new SetupException($"{path} in the setup is {entry.Size / (1 << 20)} MiB, too large for an Airbyte config file; nothing was written.");
            var full = Path.Combine(folder.Root, content.Prefix, path);
            byte[] bytes;
            try
            {
                using var file = HostFile.OpenReadNoFollow(full);
                if (file.Stat().Type != AirbyteOps.Docker.Host.UnixStat.RegularFile) throw new IOException($"{full} is not a regular file");
                bytes = ReadAtMost(file, entry.Size + 1);
            }
            catch (IOException ex)
            {
                throw new SetupException($"{path} in the {folder.Description} could not be read again for the config check ({ex.Message.TrimEnd('.')}); it changed since it was checked. Nothing was written.", ex);
            }
            if (bytes.LongLength != entry.Size || (entry.Sha256 is { } sha && SecretVault.Sha256Hex(bytes) != sha))
                throw new SetupException($"{path} in the {folder.Description} changed since its checksum was checked; the setup is being changed while it is read. Nothing was written.");
            result[path] = bytes;
        }
        return result;
    }
}
